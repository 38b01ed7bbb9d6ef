//! Creators: the editable shape of a creator record and its accounts, and the rules that
//! turn untrusted input (API JSON, web forms, imports) into a valid draft.

use crate::email;
use crate::handle::{self, Handle};
use crate::ids::UserId;
use crate::pipeline;
use crate::platform::Platform;
use crate::validation::{Invalid, optional_text, required_text};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Kinds of contact point.
pub const CONTACT_KINDS: &[&str] = &["email", "phone", "whatsapp", "website", "dm"];

/// A contact point as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ContactInput {
    pub kind: Option<String>,
    pub value: Option<String>,
    #[serde(default)]
    pub primary: bool,
}

/// A validated contact point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactPoint {
    pub kind: String,
    pub value: String,
    /// The dedupe key: lower-cased email, digits-only phone, …
    pub normalized: String,
    pub primary: bool,
}

/// A creator as submitted. Every field is optional here; [`validate`] decides.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatorInput {
    pub display_name: Option<String>,
    pub legal_name: Option<String>,
    pub pronouns: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: Option<Vec<String>>,
    pub timezone: Option<String>,
    pub bio: Option<String>,
    pub niches: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub tone_notes: Option<String>,
    pub owner_id: Option<String>,
    pub stage: Option<String>,
    pub do_not_contact: Option<bool>,
    pub source: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
    pub contact_points: Option<Vec<ContactInput>>,
    /// The next-touch cadence: reach out every N days (1–3650); `null` for none.
    pub touch_every_days: Option<i64>,
    /// Accounts to create with the creator, in the same transaction.
    pub social_accounts: Option<Vec<AccountInput>>,
}

/// A valid creator, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreatorDraft {
    pub display_name: String,
    pub legal_name: Option<String>,
    pub pronouns: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: Vec<String>,
    pub timezone: Option<String>,
    pub bio: Option<String>,
    pub niches: Vec<String>,
    pub tags: Vec<String>,
    pub tone_notes: Option<String>,
    #[serde(skip)]
    pub owner_id: Option<UserId>,
    /// A stage slug of valid shape; the app layer checks it is one of the workspace's.
    pub stage: String,
    pub do_not_contact: bool,
    pub source: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub contact_points: Vec<ContactPoint>,
    /// Reach out every N days, or no cadence.
    pub touch_every_days: Option<i64>,
}

impl CreatorDraft {
    pub fn primary_email(&self) -> Option<&ContactPoint> {
        self.contact_points.iter().find(|c| c.kind == "email" && c.primary)
    }
}

/// Validates a creator; `accounts` are validated separately with [`validate_account`].
pub fn validate(input: &CreatorInput) -> Result<CreatorDraft, Invalid> {
    let mut e = Invalid::new();
    let display_name = required_text(&mut e, "display_name", input.display_name.as_deref(), 120);
    let legal_name = optional_text(&mut e, "legal_name", input.legal_name.as_deref(), 200);
    let pronouns = optional_text(&mut e, "pronouns", input.pronouns.as_deref(), 40);
    let country =
        optional_text(&mut e, "country", input.country.as_deref(), 100).map(|c| c.to_ascii_uppercase()).filter(|c| {
            let ok = is_country_code(c);
            if !ok {
                e.add("country", "must be an ISO 3166 two-letter country code such as DE or US");
            }
            ok
        });
    let city = optional_text(&mut e, "city", input.city.as_deref(), 120);
    let languages = list(&mut e, "languages", input.languages.as_deref(), 10, |l| {
        let l = l.to_ascii_lowercase();
        (l.len() >= 2 && l.len() <= 3 && l.chars().all(|c| c.is_ascii_lowercase()))
            .then_some(l)
            .ok_or_else(|| "must be ISO 639 language codes such as en or de".to_string())
    });
    let timezone = optional_text(&mut e, "timezone", input.timezone.as_deref(), 64).filter(|tz| {
        let ok = is_timezone_name(tz);
        if !ok {
            e.add("timezone", "must be an IANA time zone such as Europe/Berlin or UTC");
        }
        ok
    });
    let bio = optional_text(&mut e, "bio", input.bio.as_deref(), 2000);
    let niches = list(&mut e, "niches", input.niches.as_deref(), 20, label_value);
    let tags = list(&mut e, "tags", input.tags.as_deref(), 50, label_value);
    let tone_notes = optional_text(&mut e, "tone_notes", input.tone_notes.as_deref(), 4000);
    let owner_id = match input.owner_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match s.parse::<UserId>() {
            Ok(id) => Some(id),
            Err(err) => {
                e.add("owner_id", err.to_string());
                None
            }
        },
    };
    let stage = match input.stage.as_deref().map(str::trim) {
        None | Some("") => pipeline::DEFAULT_STAGE.to_owned(),
        Some(s) => pipeline::parse_slug(s).unwrap_or_else(|m| {
            e.add("stage", m);
            pipeline::DEFAULT_STAGE.to_owned()
        }),
    };
    let source = optional_text(&mut e, "source", input.source.as_deref(), 200);
    let custom_fields = custom_fields(&mut e, input.custom_fields.as_ref());
    let contact_points = contacts(&mut e, input.contact_points.as_deref().unwrap_or(&[]));
    let touch_every_days = input.touch_every_days.filter(|n| {
        let ok = (1..=crate::responsiveness::MAX_CADENCE_DAYS).contains(n);
        if !ok {
            e.add("touch_every_days", cadence_message());
        }
        ok
    });
    e.into_result(CreatorDraft {
        display_name,
        legal_name,
        pronouns,
        country,
        city,
        languages,
        timezone,
        bio,
        niches,
        tags,
        tone_notes,
        owner_id,
        stage,
        do_not_contact: input.do_not_contact.unwrap_or(false),
        source,
        custom_fields,
        contact_points,
        touch_every_days,
    })
}

/// What a bad cadence is told.
pub fn cadence_message() -> String {
    format!("must be a whole number of days from 1 to {}", crate::responsiveness::MAX_CADENCE_DAYS)
}

/// Tags and niches: trimmed, lower-cased, 1–40 characters of letters, digits, space, `-`,
/// `_`, `&`, `/`.
pub fn label_value(v: &str) -> Result<String, String> {
    let v = v.trim().to_lowercase();
    if v.is_empty() || v.chars().count() > 40 {
        return Err("each entry must be 1–40 characters".into());
    }
    if !v.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '&' | '/' | '.')) {
        return Err(format!("“{v}” may only use letters, digits, spaces and - _ & / ."));
    }
    Ok(v)
}

/// A list field: blanks skipped, each entry checked by `check`, duplicates dropped, at most
/// `max` entries; the first bad entry is reported under `field`.
pub fn list(
    e: &mut Invalid,
    field: &str,
    values: Option<&[String]>,
    max: usize,
    check: impl Fn(&str) -> Result<String, String>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values.unwrap_or(&[]) {
        if v.trim().is_empty() {
            continue;
        }
        match check(v) {
            Ok(v) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(m) => {
                e.add(field, m);
                return out;
            }
        }
    }
    if out.len() > max {
        e.add(field, format!("must have at most {max} entries"));
    }
    out
}

/// A custom field's value as a spreadsheet cell: text as it is, numbers and true/false
/// written out, nothing for null.
pub fn custom_field_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A spreadsheet cell as a custom field's value. A cell that reads as the field's current
/// value keeps it as it is, type and all (so "12" stays text where it was text, and an
/// export imported back changes nothing); otherwise a number written plainly or
/// `true`/`false` is taken as one, and anything else as text.
pub fn custom_field_from_text(text: &str, current: Option<&Value>) -> Value {
    let text = text.trim();
    if let Some(v) = current.filter(|v| custom_field_text(v) == text) {
        return v.clone();
    }
    match text {
        "true" | "TRUE" | "True" => return Value::Bool(true),
        "false" | "FALSE" | "False" => return Value::Bool(false),
        _ => {}
    }
    // A number only when it is written as Rapport would write it back: "01234" (a postcode)
    // and "1.50" stay text.
    let numeric = text
        .parse::<i64>()
        .map(Value::from)
        .ok()
        .or_else(|| text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number))
        .filter(|v| custom_field_text(v) == text);
    numeric.unwrap_or_else(|| Value::String(text.to_owned()))
}

fn custom_fields(e: &mut Invalid, m: Option<&Map<String, Value>>) -> Map<String, Value> {
    let Some(m) = m else { return Map::new() };
    if m.len() > 50 {
        e.add("custom_fields", "must have at most 50 fields");
    }
    for (k, v) in m {
        let key_ok = !k.is_empty()
            && k.len() <= 40
            && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            e.add(format!("custom_fields.{k}"), "names must be 1–40 characters of a–z, 0–9 and _");
        }
        let value_ok = match v {
            Value::Null | Value::Bool(_) | Value::Number(_) => true,
            Value::String(s) => s.chars().count() <= 1000,
            _ => false,
        };
        if !value_ok {
            e.add(format!("custom_fields.{k}"), "must be text (up to 1000 characters), a number, true/false or null");
        }
    }
    m.clone()
}

fn contacts(e: &mut Invalid, input: &[ContactInput]) -> Vec<ContactPoint> {
    let mut out: Vec<ContactPoint> = Vec::new();
    for (i, c) in input.iter().enumerate() {
        let field = format!("contact_points.{i}");
        let kind = c.kind.as_deref().unwrap_or("email").trim().to_ascii_lowercase();
        if !CONTACT_KINDS.contains(&kind.as_str()) {
            e.add(format!("{field}.kind"), format!("must be one of {}", CONTACT_KINDS.join(", ")));
            continue;
        }
        let raw = c.value.as_deref().unwrap_or("").trim();
        if raw.is_empty() {
            e.add(format!("{field}.value"), "is required");
            continue;
        }
        let parsed = match kind.as_str() {
            "email" => email::parse(raw).map(|m| (m.value, m.normalized)),
            "phone" | "whatsapp" => normalize_phone(raw).map(|n| (raw.to_owned(), n)),
            _ if raw.chars().count() > 300 => Err("must be at most 300 characters".into()),
            _ => Ok((raw.to_owned(), raw.to_lowercase())),
        };
        match parsed {
            Ok((value, normalized)) => {
                if out.iter().any(|o| o.kind == kind && o.normalized == normalized) {
                    continue;
                }
                out.push(ContactPoint { kind, value, normalized, primary: c.primary })
            }
            Err(m) => e.add(format!("{field}.value"), m),
        }
    }
    // Exactly one primary email when there is any email at all.
    let emails: Vec<usize> = (0..out.len()).filter(|&i| out[i].kind == "email").collect();
    let primaries = emails.iter().filter(|&&i| out[i].primary).count();
    if primaries > 1 {
        e.add("contact_points", "only one email can be the primary email");
    } else if primaries == 0
        && let Some(&first) = emails.first()
    {
        out[first].primary = true;
    }
    for c in out.iter_mut().filter(|c| c.kind != "email") {
        c.primary = false;
    }
    out
}

fn normalize_phone(raw: &str) -> Result<String, String> {
    let plus = raw.trim_start().starts_with('+');
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let allowed = raw.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.' | '/'));
    if !allowed || digits.len() < 6 || digits.len() > 15 {
        return Err("must be a phone number such as +49 30 1234567".into());
    }
    Ok(if plus { format!("+{digits}") } else { digits })
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The key a creator's name sorts by: lower case, accents and other marks folded away
/// ("Élodie" sorts with "elodie", "Łukasz" with "lukasz", "Straße" with "strasse").
pub fn sort_name(display_name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(display_name.len());
    for c in display_name.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        match c {
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

pub fn is_country_code(code: &str) -> bool {
    // Asked for every country of every filter and every audience row of an import: a table
    // of the 26 × 26 letter pairs, filled once, instead of a walk through the list.
    static KNOWN: std::sync::LazyLock<[bool; 26 * 26]> = std::sync::LazyLock::new(|| {
        let mut known = [false; 26 * 26];
        for c in COUNTRY_CODES.split(' ') {
            if let Some(i) = pair_index(c.as_bytes()) {
                known[i] = true;
            }
        }
        known
    });
    pair_index(code.as_bytes()).is_some_and(|i| KNOWN[i])
}

/// The place of two upper-case ASCII letters among the 26 × 26 pairs.
fn pair_index(code: &[u8]) -> Option<usize> {
    match code {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => Some(usize::from(a - b'A') * 26 + usize::from(b - b'A')),
        _ => None,
    }
}

/// The ISO 3166 two-letter code of a country as a person types it in a filter or a setting —
/// its code in any case ("de"), its alpha-3 code, a common alias ("UK") or its name in English
/// or its own language ("Austria", "Deutschland") — or `None`.
pub fn country_code(input: &str) -> Option<String> {
    let upper = input.trim().to_ascii_uppercase();
    if is_country_code(&upper) {
        return Some(upper);
    }
    crate::import::countries::code_for(input).map(str::to_owned)
}

fn is_timezone_name(tz: &str) -> bool {
    tz == "UTC"
        || (tz.contains('/')
            && tz.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
            && tz.split('/').all(|p| !p.is_empty()))
}

/// A social account as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub platform: Option<String>,
    /// A handle ("@name", "name") or a profile URL.
    pub handle: Option<String>,
    pub url: Option<String>,
    pub platform_user_id: Option<String>,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    /// Engagement rate in percent (3.4 means 3.4 %).
    pub engagement_rate_pct: Option<f64>,
    pub audience: Option<AudienceInput>,
    /// Share of real, active followers in percent, where a data source provides it.
    pub audience_quality_pct: Option<f64>,
    /// Where the metrics came from ("manual", "csv import", a data provider…).
    pub source: Option<String>,
    /// When the metrics were observed (RFC 3339); defaults to now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub observed_at: Option<OffsetDateTime>,
}

/// Audience breakdown in percent per key.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceInput {
    #[serde(default)]
    pub countries: BTreeMap<String, f64>,
    #[serde(default)]
    pub age_bands: BTreeMap<String, f64>,
    #[serde(default)]
    pub genders: BTreeMap<String, f64>,
    #[serde(default)]
    pub languages: BTreeMap<String, f64>,
}

/// Age bands accepted in an audience breakdown.
pub const AGE_BANDS: &[&str] = &["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
/// Genders accepted in an audience breakdown.
pub const GENDERS: &[&str] = &["female", "male", "other"];

/// A validated account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountDraft {
    pub platform: Platform,
    #[serde(skip)]
    pub handle: Handle,
    pub url: Option<String>,
    pub platform_user_id: Option<String>,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub audience: AudienceInput,
    pub audience_quality_pct: Option<f64>,
    pub source: String,
    #[serde(skip)]
    pub observed_at: OffsetDateTime,
}

/// Validates one account; `prefix` names its place in a larger input
/// (`social_accounts.0.`) or is empty.
pub fn validate_account(input: &AccountInput, prefix: &str, now: OffsetDateTime) -> Result<AccountDraft, Invalid> {
    let mut e = Invalid::new();
    let f = |name: &str| format!("{prefix}{name}");
    let platform = match input.platform.as_deref() {
        None => {
            e.add(f("platform"), format!("is required; accepted: {}", crate::platform::accepted_list()));
            None
        }
        Some(p) => Platform::parse(p).map_err(|m| e.add(f("platform"), m)).ok(),
    };
    let handle_src = input.handle.as_deref().filter(|h| !h.trim().is_empty()).or(input.url.as_deref());
    let handle = match (platform, handle_src) {
        (_, None) => {
            e.add(f("handle"), "is required (a handle such as @name, or a profile URL)");
            None
        }
        (None, Some(_)) => None,
        (Some(p), Some(h)) => handle::parse(p, h).map_err(|m| e.add(f("handle"), m)).ok(),
    };
    let url = match input.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => match url::Url::parse(u) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Some(u.to_owned()),
            _ => {
                e.add(f("url"), "must be an http(s) URL");
                None
            }
        },
        None => handle.as_ref().and_then(|h| h.url.clone()),
    };
    let count = |e: &mut Invalid, name: &str, v: Option<i64>| match v {
        Some(n) if n < 0 => {
            e.add(f(name), "must not be negative");
            None
        }
        Some(n) if n > 10_000_000_000 => {
            e.add(f(name), "is implausibly large");
            None
        }
        other => other,
    };
    let followers = count(&mut e, "followers", input.followers);
    let average_views = count(&mut e, "average_views", input.average_views);
    let pct = |e: &mut Invalid, name: &str, v: Option<f64>| match v {
        Some(x) if !x.is_finite() || !(0.0..=100.0).contains(&x) => {
            e.add(f(name), "must be a percentage between 0 and 100");
            None
        }
        other => other,
    };
    let engagement_rate_pct = pct(&mut e, "engagement_rate_pct", input.engagement_rate_pct);
    let audience_quality_pct = pct(&mut e, "audience_quality_pct", input.audience_quality_pct);
    let audience = audience(&mut e, &f("audience."), input.audience.clone().unwrap_or_default());
    let source = optional_text(&mut e, &f("source"), input.source.as_deref(), 100).unwrap_or_else(|| "manual".into());
    let observed_at = input.observed_at.unwrap_or(now);
    if observed_at > now + time::Duration::minutes(5) {
        e.add(f("observed_at"), "must not be in the future");
    }
    let platform_user_id = optional_text(&mut e, &f("platform_user_id"), input.platform_user_id.as_deref(), 100);
    match (platform, handle, e.is_empty()) {
        (Some(platform), Some(handle), true) => Ok(AccountDraft {
            platform,
            handle,
            url,
            platform_user_id,
            followers,
            average_views,
            engagement_rate_pct,
            audience,
            audience_quality_pct,
            source,
            observed_at,
        }),
        _ => Err(e),
    }
}

fn audience(e: &mut Invalid, prefix: &str, mut a: AudienceInput) -> AudienceInput {
    let check = |e: &mut Invalid,
                 name: &str,
                 map: &mut BTreeMap<String, f64>,
                 key_ok: &dyn Fn(&str) -> Option<String>,
                 key_help: &str| {
        let mut out = BTreeMap::new();
        let mut total = 0.0;
        for (k, v) in map.iter() {
            let Some(key) = key_ok(k) else {
                e.add(format!("{prefix}{name}.{k}"), key_help.to_string());
                continue;
            };
            if !v.is_finite() || *v < 0.0 || *v > 100.0 {
                e.add(format!("{prefix}{name}.{k}"), "must be a percentage between 0 and 100");
                continue;
            }
            total += v;
            out.insert(key, *v);
        }
        if total > 100.5 {
            e.add(format!("{prefix}{name}"), format!("shares add up to {total:.1} %, more than 100 %"));
        }
        *map = out;
    };
    check(
        e,
        "countries",
        &mut a.countries,
        &|k| {
            let k = k.trim().to_ascii_uppercase();
            is_country_code(&k).then_some(k)
        },
        "must be keyed by ISO 3166 two-letter country codes",
    );
    check(
        e,
        "age_bands",
        &mut a.age_bands,
        &|k| AGE_BANDS.contains(&k.trim()).then(|| k.trim().to_owned()),
        &format!("must be keyed by age bands: {}", AGE_BANDS.join(", ")),
    );
    check(
        e,
        "genders",
        &mut a.genders,
        &|k| {
            let k = k.trim().to_ascii_lowercase();
            GENDERS.contains(&k.as_str()).then_some(k)
        },
        &format!("must be keyed by {}", GENDERS.join(", ")),
    );
    check(
        e,
        "languages",
        &mut a.languages,
        &|k| {
            let k = k.trim().to_ascii_lowercase();
            (k.len() >= 2 && k.len() <= 3 && k.chars().all(|c| c.is_ascii_lowercase())).then_some(k)
        },
        "must be keyed by ISO 639 language codes",
    );
    a
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_country_code_is_two_upper_case_letters_of_the_iso_list() {
        for code in super::COUNTRY_CODES.split(' ') {
            assert!(super::is_country_code(code), "{code}");
        }
        for not in ["", "D", "de", "De", "DEU", "XX", "AA", "ZZ", "D1", "É", "ÉÉ", "UK"] {
            assert!(!super::is_country_code(not), "{not}");
        }
    }

    #[test]
    fn a_custom_field_cell_keeps_the_type_of_the_value_it_reads_as() {
        assert_eq!(custom_field_from_text("12", Some(&json!("12"))), json!("12"), "text stays text");
        assert_eq!(custom_field_from_text("12", Some(&json!(12))), json!(12));
        assert_eq!(custom_field_from_text("13", Some(&json!("12"))), json!(13), "a new value is read afresh");
        assert_eq!(custom_field_from_text("1200", None), json!(1200));
        assert_eq!(custom_field_from_text("1.5", None), json!(1.5));
        assert_eq!(custom_field_from_text("true", None), json!(true));
        assert_eq!(custom_field_from_text("01234", None), json!("01234"), "a postcode keeps its zero");
        assert_eq!(custom_field_from_text("1.50", None), json!("1.50"));
        assert_eq!(custom_field_from_text(" Nord ", None), json!("Nord"));
        for v in [json!("a, b"), json!(-3), json!(2.25), json!(false)] {
            assert_eq!(custom_field_from_text(&custom_field_text(&v), None), v, "{v} written and read back");
        }
        assert_eq!(custom_field_text(&serde_json::Value::Null), "");
    }
    use super::*;

    #[test]
    fn names_sort_without_their_accents() {
        for (name, key) in [
            ("Élodie Martin", "elodie martin"),
            ("Łukasz Nowak", "lukasz nowak"),
            ("Straße", "strasse"),
            ("Søren Æbelø", "soren aebelo"),
            ("李华", "李华"),
            ("Zoë", "zoe"),
        ] {
            assert_eq!(sort_name(name), key, "{name}");
        }
        let mut names = vec!["Zoe", "Élodie", "Adam", "Ömer"];
        names.sort_by_key(|n| sort_name(n));
        assert_eq!(names, ["Adam", "Élodie", "Ömer", "Zoe"]);
    }

    fn named(name: &str) -> CreatorInput {
        CreatorInput { display_name: Some(name.into()), ..Default::default() }
    }

    #[test]
    fn a_name_alone_is_a_valid_creator_in_the_discovered_stage() {
        let d = validate(&named("Lena Bakes")).unwrap();
        assert_eq!(d.stage, "discovered");
        assert!(d.contact_points.is_empty());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = CreatorInput {
            display_name: Some(" ".into()),
            country: Some("Germany".into()),
            timezone: Some("Berlin time".into()),
            stage: Some("not a stage!".into()),
            contact_points: Some(vec![ContactInput {
                kind: Some("email".into()),
                value: Some("lena-at-example".into()),
                primary: true,
            }]),
            ..Default::default()
        };
        let err = validate(&input).unwrap_err();
        for field in ["display_name", "country", "timezone", "stage", "contact_points.0.value"] {
            assert!(err.message_for(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn the_first_email_becomes_primary_when_none_is_marked() {
        let mut input = named("Lena");
        input.contact_points = Some(vec![
            ContactInput { kind: Some("phone".into()), value: Some("+49 30 123456".into()), primary: true },
            ContactInput { kind: Some("email".into()), value: Some("Lena@Example.com".into()), primary: false },
        ]);
        let d = validate(&input).unwrap();
        assert_eq!(d.primary_email().unwrap().normalized, "lena@example.com");
        assert_eq!(d.contact_points[0].normalized, "+4930123456");
        assert!(!d.contact_points[0].primary);
    }

    #[test]
    fn tags_are_lower_cased_and_deduplicated() {
        let mut input = named("Lena");
        input.tags = Some(vec!["Vegan".into(), "vegan ".into(), "Berlin".into()]);
        assert_eq!(validate(&input).unwrap().tags, vec!["vegan", "berlin"]);
    }

    #[test]
    fn an_account_needs_a_known_platform_and_a_handle() {
        let now = OffsetDateTime::now_utc();
        let err = validate_account(
            &AccountInput { platform: Some("myspace".into()), ..Default::default() },
            "social_accounts.0.",
            now,
        )
        .unwrap_err();
        assert!(err.message_for("social_accounts.0.platform").unwrap().contains("accepted: instagram"));
        assert_eq!(
            err.message_for("social_accounts.0.handle"),
            Some("is required (a handle such as @name, or a profile URL)")
        );
    }

    #[test]
    fn an_account_from_a_profile_url_keeps_the_url() {
        let now = OffsetDateTime::now_utc();
        let a = validate_account(
            &AccountInput {
                platform: Some("instagram".into()),
                handle: Some("https://instagram.com/Lena.Bakes".into()),
                followers: Some(12_500),
                ..Default::default()
            },
            "",
            now,
        )
        .unwrap();
        assert_eq!(a.handle.normalized, "lena.bakes");
        assert_eq!(a.url.as_deref(), Some("https://instagram.com/Lena.Bakes"));
        assert_eq!(a.source, "manual");
    }

    #[test]
    fn audience_shares_must_be_percentages_that_fit_in_100() {
        let now = OffsetDateTime::now_utc();
        let mut audience = AudienceInput::default();
        audience.countries.insert("DE".into(), 70.0);
        audience.countries.insert("AT".into(), 40.0);
        audience.age_bands.insert("18-25".into(), 10.0);
        let err = validate_account(
            &AccountInput {
                platform: Some("tiktok".into()),
                handle: Some("@lena".into()),
                audience: Some(audience),
                ..Default::default()
            },
            "",
            now,
        )
        .unwrap_err();
        assert!(err.message_for("audience.countries").unwrap().contains("110.0"));
        assert!(err.message_for("audience.age_bands.18-25").is_some());
    }

    #[test]
    fn negative_follower_counts_are_rejected() {
        let now = OffsetDateTime::now_utc();
        let err = validate_account(
            &AccountInput {
                platform: Some("youtube".into()),
                handle: Some("@lena".into()),
                followers: Some(-1),
                ..Default::default()
            },
            "",
            now,
        )
        .unwrap_err();
        assert_eq!(err.message_for("followers"), Some("must not be negative"));
    }
}
