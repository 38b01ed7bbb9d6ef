//! The tantivy schema (bump [`SCHEMA_VERSION`] on any change), the text analyzer, and the mapping of a
//! [`CreatorDoc`] to index values: the scope term, id halves, keyword columns, numbers and audience codes.

use tantivy::TantivyDocument;
use tantivy::schema::{
    BytesOptions, FAST, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::CreatorDoc;

/// Version of the index layout, or of what its documents say; an index written with another version is
/// wiped and rebuilt on open. 3: a creator's main account is never one whose following is unknown (on
/// PostgreSQL, version 2's documents could take its engagement and audience as the creator's). 4: cities
/// are kept lower-cased, so a city filter ignores case. 5: an account without figures gives no data
/// freshness. 6: sort-name keys. 7: a creator's audience is its largest account's that has a breakdown.
/// 8: Chinese, Japanese and Korean text is indexed in pairs of characters. 9: cities are kept with their
/// accents folded too ([`city_key`]).
pub const SCHEMA_VERSION: u32 = 9;

/// Name under which the text analyzer is registered on the index.
pub(crate) const TEXT_TOKENIZER: &str = "rapport_text";

/// Tokens longer than this many bytes are dropped (they are noise, not words).
const MAX_TOKEN_BYTES: usize = 40;

/// Field names of fast columns read by the collector.
pub(crate) mod names {
    pub const ID_HI: &str = "id_hi";
    pub const ID_LO: &str = "id_lo";
    /// The sort name's first 16 bytes, big-endian, in two halves.
    pub const NAME_HI: &str = "name_hi";
    pub const NAME_LO: &str = "name_lo";
    pub const PLATFORMS: &str = "platforms";
    pub const COUNTRY: &str = "country";
    pub const CITY: &str = "city";
    pub const NICHES: &str = "niches";
    pub const TAGS: &str = "tags";
    pub const STAGE: &str = "stage";
    pub const LANGUAGES: &str = "languages";
    pub const FOLLOWERS: &str = "followers";
    pub const ENGAGEMENT: &str = "engagement";
    pub const FIT: &str = "fit";
    pub const UPDATED: &str = "updated";
}

/// Handles to every field of the schema.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    /// Creator id, 16 bytes, indexed: the delete/replace key.
    pub id: Field,
    pub id_hi: Field,
    pub id_lo: Field,
    /// The sort name's key ([`name_key`]) in two halves.
    pub name_hi: Field,
    pub name_lo: Field,
    /// Workspace id + deleted + do-not-contact flags, 18 bytes: one posting list per tenant partition, so
    /// the always-present filters cost one term.
    pub scope: Field,
    /// Owner id bytes, or 16 zero bytes when unowned.
    pub owner: Field,
    pub has_email: Field,
    /// Keyword fields are indexed (selective filters walk their postings) and fast (unselective filters
    /// check candidates' term ordinals; facets count them).
    pub platforms: Field,
    pub country: Field,
    pub city: Field,
    pub languages: Field,
    pub niches: Field,
    pub tags: Field,
    pub stage: Field,
    pub followers: Field,
    pub avg_views: Field,
    pub engagement: Field,
    pub fit: Field,
    pub observed: Field,
    pub updated: Field,
    pub aud_country: Field,
    pub aud_age: Field,
    pub aud_gender: Field,
    /// Everything the free text searches.
    pub text: Field,
    /// Names and handles again, for a relevance boost.
    pub names: Field,
}

impl Fields {
    /// Builds the schema and its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let key_bytes = BytesOptions::default().set_indexed();
        let keyword = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_fieldnorms(false)
                    .set_index_option(IndexRecordOption::Basic),
            )
            .set_fast("raw");
        let fast = NumericOptions::default().set_fast();
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_TOKENIZER)
                .set_fieldnorms(true)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id: b.add_bytes_field("id", key_bytes.clone()),
            id_hi: b.add_u64_field(names::ID_HI, fast.clone()),
            id_lo: b.add_u64_field(names::ID_LO, fast.clone()),
            name_hi: b.add_u64_field(names::NAME_HI, fast.clone()),
            name_lo: b.add_u64_field(names::NAME_LO, fast.clone()),
            scope: b.add_bytes_field("scope", key_bytes.clone()),
            owner: b.add_bytes_field("owner", key_bytes),
            has_email: b.add_u64_field("has_email", FAST),
            platforms: b.add_text_field(names::PLATFORMS, keyword.clone()),
            country: b.add_text_field(names::COUNTRY, keyword.clone()),
            city: b.add_text_field(names::CITY, keyword.clone()),
            languages: b.add_text_field(names::LANGUAGES, keyword.clone()),
            niches: b.add_text_field(names::NICHES, keyword.clone()),
            tags: b.add_text_field(names::TAGS, keyword.clone()),
            stage: b.add_text_field(names::STAGE, keyword),
            followers: b.add_i64_field(names::FOLLOWERS, fast.clone()),
            avg_views: b.add_i64_field("avg_views", fast.clone()),
            engagement: b.add_f64_field(names::ENGAGEMENT, fast.clone()),
            fit: b.add_u64_field(names::FIT, fast.clone()),
            observed: b.add_i64_field("observed", fast.clone()),
            updated: b.add_i64_field(names::UPDATED, fast.clone()),
            aud_country: b.add_u64_field("aud_country", fast.clone()),
            aud_age: b.add_u64_field("aud_age", fast.clone()),
            aud_gender: b.add_u64_field("aud_gender", fast),
            text: b.add_text_field("text", words.clone()),
            names: b.add_text_field("names", words),
        };
        (b.build(), fields)
    }

    /// The index document for `doc`.
    pub fn document(&self, doc: &CreatorDoc, analyzer: &mut TextAnalyzer) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        d.add_bytes(self.id, doc.id.as_bytes());
        let (hi, lo) = id_halves(doc.id);
        d.add_u64(self.id_hi, hi);
        d.add_u64(self.id_lo, lo);
        let name = name_key(&doc.sort_name);
        d.add_u64(self.name_hi, (name >> 64) as u64);
        d.add_u64(self.name_lo, name as u64);
        d.add_bytes(self.scope, &scope_bytes(doc.workspace_id, doc.deleted, doc.do_not_contact));
        d.add_bytes(self.owner, owner_bytes(doc.owner_id).as_bytes());
        d.add_u64(self.has_email, u64::from(doc.has_email));

        for (field, values) in [
            (self.platforms, &doc.platforms),
            (self.languages, &doc.languages),
            (self.niches, &doc.niches),
            (self.tags, &doc.tags),
        ] {
            for v in keywords(values) {
                d.add_text(field, v);
            }
        }
        if let Some(v) = doc.country.as_deref().filter(|v| !v.is_empty()) {
            d.add_text(self.country, v);
        }
        // Cities are typed by people in any case and with or without accents ("São Paulo",
        // "sao paulo"): kept as their key, and a query's cities are too.
        if let Some(v) = doc.city.as_deref().map(city_key).filter(|v| !v.is_empty()) {
            d.add_text(self.city, v);
        }
        if !doc.stage.is_empty() {
            d.add_text(self.stage, &doc.stage);
        }

        d.add_i64(self.followers, doc.max_followers);
        d.add_i64(self.avg_views, doc.max_average_views);
        if let Some(e) = doc.engagement_rate_pct.filter(|e| !e.is_nan()) {
            d.add_f64(self.engagement, e);
        }
        if let Some(f) = doc.fit_score {
            d.add_u64(self.fit, u64::from(f));
        }
        if let Some(t) = doc.data_observed_at {
            d.add_i64(self.observed, micros(t));
        }
        d.add_i64(self.updated, micros(doc.updated_at));

        for (field, shares) in [
            (self.aud_country, &doc.audience_countries),
            (self.aud_age, &doc.audience_ages),
            (self.aud_gender, &doc.audience_genders),
        ] {
            let mut codes: Vec<u64> =
                shares.iter().filter(|(_, s)| !s.is_nan()).map(|(k, s)| audience_code(k, share_bp(*s))).collect();
            codes.sort_unstable();
            codes.dedup();
            for c in codes {
                d.add_u64(field, c);
            }
        }

        let mut add_words = |field: Field, text: &str| {
            if !text.is_empty() {
                d.add_text(field, text);
            }
        };
        let names = std::iter::once(doc.display_name.as_str()).chain(doc.legal_name.as_deref());
        for name in names {
            add_words(self.text, name);
            add_words(self.names, name);
        }
        for handle in &doc.handles {
            add_words(self.text, handle);
            add_words(self.names, handle);
            if let Some(joined) = joined_handle(analyzer, handle) {
                add_words(self.text, &joined);
                add_words(self.names, &joined);
            }
        }
        for email in &doc.emails {
            add_words(self.text, email);
        }
        for text in [doc.bio.as_deref(), doc.tone_notes.as_deref(), doc.city.as_deref()].into_iter().flatten() {
            add_words(self.text, text);
        }
        for word in doc.niches.iter().chain(&doc.tags) {
            add_words(self.text, word);
        }
        d
    }
}

/// The analyzer for free text: words split on non-alphanumerics, lowercased, accents folded to ASCII.
pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(crate::words::WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// How a city is kept and looked for: trimmed, lowercased, accents folded to ASCII ("  São
/// Paulo" → "sao paulo", "MÜNCHEN" → "munchen"), so a city filter ignores case and accents.
pub fn city_key(city: &str) -> String {
    let mut analyzer =
        TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).filter(AsciiFoldingFilter).build();
    tokens_with(&mut analyzer, city.trim()).concat()
}

/// The words the index makes of `text`: lowercased, accent-folded, split on anything but letters and digits
/// ("@Anna_Schäfer" → ["anna", "schafer"]), and Chinese, Japanese and Korean in pairs of characters
/// (see [`crate::words`]).
pub fn text_tokens(text: &str) -> Vec<String> {
    tokens_with(&mut text_analyzer(), text)
}

pub(crate) fn tokens_with(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    analyzer.token_stream(text).process(&mut |t| out.push(t.text.clone()));
    out
}

/// A handle of several words also indexed as one word ("@anna_schafer" → "annaschafer"), so it is found
/// typed either way.
pub(crate) fn joined_handle(analyzer: &mut TextAnalyzer, handle: &str) -> Option<String> {
    let parts = tokens_with(analyzer, handle);
    (parts.len() > 1).then(|| parts.concat()).filter(|j| j.len() <= MAX_TOKEN_BYTES)
}

/// The non-empty distinct values of a keyword list.
fn keywords(values: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = values.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

pub(crate) fn id_halves(id: Uuid) -> (u64, u64) {
    let n = id.as_u128();
    ((n >> 64) as u64, n as u64)
}

/// A sort name's first 16 bytes as a big-endian number (shorter names padded with zeros), so
/// that numbers order as the names' bytes do — as far as 16 bytes go.
pub(crate) fn name_key(sort_name: &str) -> u128 {
    let mut b = [0u8; 16];
    let bytes = sort_name.as_bytes();
    let n = bytes.len().min(16);
    b[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(b)
}

pub(crate) fn id_from_halves(hi: u64, lo: u64) -> Uuid {
    Uuid::from_u128((u128::from(hi) << 64) | u128::from(lo))
}

pub(crate) fn scope_bytes(workspace_id: Uuid, deleted: bool, do_not_contact: bool) -> [u8; 18] {
    let mut b = [0u8; 18];
    b[..16].copy_from_slice(workspace_id.as_bytes());
    b[16] = u8::from(deleted);
    b[17] = u8::from(do_not_contact);
    b
}

/// The owner term: the owner's id, or the nil id (never a member) for unowned creators.
pub(crate) fn owner_bytes(owner: Option<Uuid>) -> Uuid {
    owner.unwrap_or(Uuid::nil())
}

/// Microseconds since the Unix epoch, saturating.
pub(crate) fn micros(t: OffsetDateTime) -> i64 {
    let us = t.unix_timestamp_nanos() / 1000;
    i64::try_from(us).unwrap_or(if us < 0 { i64::MIN } else { i64::MAX })
}

/// Largest share in basis points (100 %).
pub(crate) const MAX_SHARE_BP: u64 = 10_000;

/// A share in percent as basis points (hundredths of a percent), rounded and clamped to 0–100 %.
pub(crate) fn share_bp(pct: f64) -> u64 {
    let bp = (pct * 100.0).round();
    if bp <= 0.0 {
        0
    } else if bp >= MAX_SHARE_BP as f64 {
        MAX_SHARE_BP
    } else {
        bp as u64
    }
}

const SHARE_BITS: u32 = 14;
const KEY_BITS: u32 = 48;

/// The 49-bit code of an audience key: keys of up to six bytes (country codes, age brackets, genders) are
/// packed as they are, so distinct keys never collide; longer keys are hashed, with bit 48 set.
fn audience_key_code(key: &str) -> u64 {
    let bytes = key.as_bytes();
    if bytes.len() <= 6 {
        bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)) << (8 * (6 - bytes.len()))
    } else {
        // FNV-1a: stable across builds and platforms, unlike std's hasher.
        let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
        (1 << KEY_BITS) | (h & ((1 << KEY_BITS) - 1))
    }
}

/// One audience share as a single sortable u64: key code in the high bits, basis points in the low 14, so
/// "share of key ≥ x" is one range over a multi-valued fast column.
pub(crate) fn audience_code(key: &str, bp: u64) -> u64 {
    (audience_key_code(key) << SHARE_BITS) | bp.min(MAX_SHARE_BP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_key_folds_case_and_accents_and_keeps_the_whole_name() {
        assert_eq!(city_key("  São Paulo "), "sao paulo");
        assert_eq!(city_key("MÜNCHEN"), "munchen");
        assert_eq!(city_key("Zürich"), city_key("zurich"));
        assert_eq!(city_key("上海"), "上海");
        assert_eq!(city_key("   "), "");
    }

    #[test]
    fn tokens_fold_case_accents_and_punctuation() {
        assert_eq!(text_tokens("@Anna_Schäfer Straße"), ["anna", "schafer", "strasse"]);
        assert!(text_tokens("  !!  ").is_empty());
    }

    #[test]
    fn audience_codes_order_by_share_within_a_key() {
        assert!(audience_code("US", 10) < audience_code("US", 11));
        assert!(audience_code("US", MAX_SHARE_BP) < audience_code("UT", 0));
        assert_ne!(audience_key_code("a"), audience_key_code("a_very_long_key"));
        assert_eq!(share_bp(32.5), 3250);
        assert_eq!(share_bp(150.0), MAX_SHARE_BP);
        assert_eq!(share_bp(-1.0), 0);
    }

    #[test]
    fn id_halves_round_trip() {
        let id = Uuid::now_v7();
        let (hi, lo) = id_halves(id);
        assert_eq!(id_from_halves(hi, lo), id);
    }
}
