//! Likely duplicates: creators sharing a contact point or a handle, or with a similar name
//! in the same country — grouped by key, never compared pairwise across the workspace.

use crate::App;
use crate::context::Ctx;
use crate::error::AppResult;
use rapport_core::ids::CreatorId;
use rapport_store::merges as store;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Creators (or rows) read per key kind; a workspace beyond this is checked in part.
const SCAN_LIMIT: i64 = 100_000;
/// Pairs returned at most.
const PAIR_LIMIT: usize = 500;
/// A key shared by more creators than this is noise ("n/a"), not a duplicate signal.
const GROUP_LIMIT: usize = 20;
/// Name containment is checked pairwise within a country only up to this many names.
const CONTAIN_LIMIT: usize = 2_000;

/// A creator in a duplicate pair.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatorBrief {
    #[schema(value_type = String)]
    pub id: CreatorId,
    pub display_name: String,
    pub country: Option<String>,
}

/// Two creators that look like the same person, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicatePair {
    /// The older record (the default survivor).
    pub a: CreatorBrief,
    pub b: CreatorBrief,
    /// "same email ana@example.com", "same handle @ana on Instagram and TikTok", …
    pub reasons: Vec<String>,
    /// `true` when a shared email, phone, website or same-platform handle says so; `false`
    /// for similar names and the same handle on different platforms.
    pub strong: bool,
}

/// Likely duplicates, strongest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateList {
    pub items: Vec<DuplicatePair>,
    /// `true` when the workspace was too large to check completely or there were more pairs.
    pub truncated: bool,
    /// What was left out, when `truncated`.
    pub note: Option<String>,
}

/// Lower-case, accents folded, letters and digits only ("Zoë O'Brien" → "zoeobrien").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.to_lowercase().chars() {
        let r = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
            'ł' | 'ľ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ř' => "r",
            'ś' | 'š' | 'ş' => "s",
            'ß' => "ss",
            'ť' | 'ţ' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'æ' => "ae",
            'œ' => "oe",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(r);
    }
    out
}

/// A name's words, each folded ("Anne-Marie O'Neil" → anne, marie, o, neil).
fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric()).map(fold).filter(|w| !w.is_empty()).collect()
}

/// Whether every word of `short` is a word of `long`: "Lena Berg" is within "Lena Berg
/// Studio", "Lena" is not within "Helena Virtanen".
fn words_within(short: &[String], long: &[String]) -> bool {
    !short.is_empty() && short.len() <= long.len() && short.iter().all(|w| long.contains(w))
}

/// The comparable form of a contact value: `(class, key, shown)`.
fn contact_key(kind: &str, value: &str) -> Option<(&'static str, String)> {
    let v = value.trim().to_lowercase();
    match kind {
        "email" => Some(("email", v)).filter(|(_, v)| v.contains('@')),
        "phone" | "whatsapp" => {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            (digits.len() >= 7).then(|| ("phone number", digits[digits.len().saturating_sub(10)..].to_string()))
        }
        "website" => {
            let v = v.trim_start_matches("https://").trim_start_matches("http://").trim_start_matches("www.");
            let v = v.trim_end_matches('/');
            (!v.is_empty()).then(|| ("website", v.to_string()))
        }
        _ => None,
    }
}

fn platform_label(slug: &str) -> String {
    rapport_core::platform::Platform::parse(slug).map(|p| p.label().to_string()).unwrap_or_else(|_| slug.to_string())
}

#[derive(Default)]
struct Pairs {
    map: HashMap<(Uuid, Uuid), (Vec<String>, bool)>,
}

impl Pairs {
    fn add(&mut self, a: Uuid, b: Uuid, reason: String, strong: bool) {
        if a == b {
            return;
        }
        let e = self.map.entry((a.min(b), a.max(b))).or_default();
        if !e.0.contains(&reason) {
            e.0.push(reason);
        }
        e.1 |= strong;
    }
}

/// Likely duplicate pairs among the workspace's live creators: a shared email, phone or
/// website; the same handle — on the same platform a strong sign, on different ones a weak
/// one — or handles alike but for case and punctuation (weak); or a similar name (the same,
/// or one's words all among the other's) in the same country.
/// Grouped by key in memory (no pairwise scan of the whole workspace); bounded by
/// [`SCAN_LIMIT`] rows per kind and [`PAIR_LIMIT`] pairs, and says when it was.
pub async fn candidates(app: &App, ctx: &Ctx) -> AppResult<DuplicateList> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let names = store::name_keys(&mut c, ctx.ws(), SCAN_LIMIT + 1).await?;
    let contacts = store::contact_keys(&mut c, ctx.ws(), SCAN_LIMIT + 1).await?;
    let handles = store::handle_keys(&mut c, ctx.ws(), SCAN_LIMIT + 1).await?;
    drop(r);
    let mut notes = vec![];
    if [names.len(), contacts.len(), handles.len()].iter().any(|n| *n as i64 > SCAN_LIMIT) {
        notes.push(format!("only the first {SCAN_LIMIT} creators, contact points and handles were checked"));
    }
    let by_id: HashMap<Uuid, &store::NameKey> = names.iter().map(|n| (n.id, n)).collect();
    let mut pairs = Pairs::default();
    let mut groups: HashMap<(&str, String), Vec<Uuid>> = HashMap::new();
    for k in &contacts {
        if let Some((class, key)) = contact_key(&k.kind, &k.value) {
            groups.entry((class, key)).or_default().push(k.creator_id);
        }
    }
    for ((class, key), ids) in groups.iter_mut() {
        ids.sort();
        ids.dedup();
        if ids.len() <= GROUP_LIMIT {
            for (i, a) in ids.iter().enumerate() {
                for b in &ids[i + 1..] {
                    pairs.add(*a, *b, format!("same {class} {key}"), true);
                }
            }
        }
    }
    let mut by_handle: HashMap<String, Vec<&store::ValueKey>> = HashMap::new();
    for h in &handles {
        let key = fold(&h.value);
        if key.len() >= 3 {
            by_handle.entry(key).or_default().push(h);
        }
    }
    for group in by_handle.values().filter(|g| g.len() > 1 && g.len() <= GROUP_LIMIT) {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                // One platform keeps a handle once, so two of its handles alike but for punctuation
                // (@anna.b, @anna_b) are two accounts: a similarity, not proof.
                let same = a.value.trim_start_matches('@').eq_ignore_ascii_case(b.value.trim_start_matches('@'));
                let what = if same { "same handle" } else { "similar handles" };
                if a.kind == b.kind {
                    let reason = format!("{what} @{} / @{} on {}", a.value, b.value, platform_label(&a.kind));
                    pairs.add(a.creator_id, b.creator_id, reason, same);
                } else {
                    let (pa, pb) = (platform_label(&a.kind), platform_label(&b.kind));
                    let reason = if same {
                        format!("same handle @{} on {pa} and {pb}", a.value)
                    } else {
                        format!("similar handles @{} on {pa} and @{} on {pb}", a.value, b.value)
                    };
                    pairs.add(a.creator_id, b.creator_id, reason, false);
                }
            }
        }
    }
    type Named = (String, Uuid, Vec<String>);
    let mut by_country: HashMap<&str, Vec<Named>> = HashMap::new();
    for n in &names {
        if let Some(country) = n.country.as_deref().filter(|c| !c.is_empty()) {
            by_country.entry(country).or_default().push((fold(&n.display_name), n.id, name_words(&n.display_name)));
        }
    }
    let mut skipped = 0;
    for (country, list) in by_country.iter_mut() {
        list.sort();
        let reason = format!("similar name, same country {country}");
        if list.len() > CONTAIN_LIMIT {
            skipped += 1;
            for w in list.windows(2) {
                if w[0].0 == w[1].0 && !w[0].0.is_empty() {
                    pairs.add(w[0].1, w[1].1, reason.clone(), false);
                }
            }
            continue;
        }
        for (i, (a, ida, wa)) in list.iter().enumerate() {
            for (b, idb, wb) in &list[i + 1..] {
                let similar = (a == b && !a.is_empty())
                    || (a.len().min(b.len()) >= 4 && (words_within(wa, wb) || words_within(wb, wa)));
                if similar {
                    pairs.add(*ida, *idb, reason.clone(), false);
                }
            }
        }
    }
    if skipped > 0 {
        notes.push(format!(
            "in {skipped} countries with more than {CONTAIN_LIMIT} creators, only identical names were compared"
        ));
    }
    let brief = |id: &Uuid| {
        by_id.get(id).map(|n| CreatorBrief {
            id: CreatorId(n.id),
            display_name: n.display_name.clone(),
            country: n.country.clone(),
        })
    };
    let mut items: Vec<DuplicatePair> = pairs
        .map
        .into_iter()
        .filter_map(|((a, b), (reasons, strong))| Some(DuplicatePair { a: brief(&a)?, b: brief(&b)?, reasons, strong }))
        .collect();
    items.sort_by(|x, y| {
        (y.strong, y.reasons.len())
            .cmp(&(x.strong, x.reasons.len()))
            .then_with(|| x.a.display_name.to_lowercase().cmp(&y.a.display_name.to_lowercase()))
            .then_with(|| x.a.id.cmp(&y.a.id).then(x.b.id.cmp(&y.b.id)))
    });
    if items.len() > PAIR_LIMIT {
        notes.push(format!("showing the first {PAIR_LIMIT} of {} pairs", items.len()));
        items.truncate(PAIR_LIMIT);
    }
    let truncated = !notes.is_empty();
    Ok(DuplicateList {
        items,
        truncated,
        note: truncated.then(|| rapport_core::validation::capitalise(&notes.join("; "))),
    })
}
