//! Which column feeds which field: the targets a column can map to, a suggested mapping
//! from the header names of common exports (and Rapport's own), and the checks a mapping
//! must pass before an import runs.

use super::numbers::is_blank;
use super::read::column_letter;
use super::{MatchKey, Mode};
use crate::Invalid;
use crate::platform::Platform;

/// A creator field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    DisplayName,
    /// Joined with [`Field::LastName`] into the display name when no column gives one.
    FirstName,
    LastName,
    LegalName,
    Pronouns,
    Email,
    Phone,
    Website,
    Country,
    City,
    Languages,
    Timezone,
    Niches,
    Tags,
    Stage,
    DoNotContact,
    Source,
    Bio,
    ToneNotes,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::DisplayName,
        Field::FirstName,
        Field::LastName,
        Field::LegalName,
        Field::Pronouns,
        Field::Email,
        Field::Phone,
        Field::Website,
        Field::Country,
        Field::City,
        Field::Languages,
        Field::Timezone,
        Field::Niches,
        Field::Tags,
        Field::Stage,
        Field::DoNotContact,
        Field::Source,
        Field::Bio,
        Field::ToneNotes,
    ];

    /// The field's name in the API and in Rapport's export.
    pub fn key(self) -> &'static str {
        match self {
            Field::DisplayName => "display_name",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::LegalName => "legal_name",
            Field::Pronouns => "pronouns",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Website => "website",
            Field::Country => "country",
            Field::City => "city",
            Field::Languages => "languages",
            Field::Timezone => "timezone",
            Field::Niches => "niches",
            Field::Tags => "tags",
            Field::Stage => "stage",
            Field::DoNotContact => "do_not_contact",
            Field::Source => "source",
            Field::Bio => "bio",
            Field::ToneNotes => "tone_notes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::DisplayName => "Display name",
            Field::FirstName => "First name (with the last name, the display name)",
            Field::LastName => "Last name (with the first name, the display name)",
            Field::LegalName => "Legal name",
            Field::Pronouns => "Pronouns",
            Field::Email => "Email",
            Field::Phone => "Phone",
            Field::Website => "Website",
            Field::Country => "Country",
            Field::City => "City",
            Field::Languages => "Languages",
            Field::Timezone => "Time zone",
            Field::Niches => "Niches",
            Field::Tags => "Tags",
            Field::Stage => "Stage",
            Field::DoNotContact => "Do not contact",
            Field::Source => "Source",
            Field::Bio => "Bio",
            Field::ToneNotes => "Tone notes",
        }
    }
}

/// A figure or the handle of a social account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Handle,
    Followers,
    AverageViews,
    EngagementRate,
}

impl Metric {
    pub const ALL: &'static [Metric] =
        &[Metric::Handle, Metric::Followers, Metric::AverageViews, Metric::EngagementRate];

    pub fn key(self) -> &'static str {
        match self {
            Metric::Handle => "handle",
            Metric::Followers => "followers",
            Metric::AverageViews => "average_views",
            Metric::EngagementRate => "engagement_rate_pct",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Metric::Handle => "handle",
            Metric::Followers => "followers",
            Metric::AverageViews => "average views",
            Metric::EngagementRate => "engagement rate %",
        }
    }
}

/// Where a column's values go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// Not imported.
    Ignore,
    /// Rapport's creator id (`cr_…`), as in Rapport's export.
    Id,
    Creator(Field),
    /// The platform of the row's account, for `Handle`/`Followers`/… columns without one.
    Platform,
    /// A profile URL; its host names the platform.
    ProfileUrl,
    /// An account figure, on a named platform or (None) on the row's platform.
    Account(Option<Platform>, Metric),
    /// A custom field named after the column's header (see [`custom_field_name`]):
    /// `custom.rate_card` in Rapport's export, or any column chosen for it ("Agency").
    CustomField,
}

impl Target {
    /// Every target, in the order a mapping select lists them.
    pub fn all() -> Vec<Target> {
        let mut out = vec![Target::Ignore, Target::Id];
        out.extend(Field::ALL.iter().map(|f| Target::Creator(*f)));
        out.push(Target::CustomField);
        out.extend([Target::Platform, Target::ProfileUrl]);
        out.extend(Metric::ALL.iter().map(|m| Target::Account(None, *m)));
        for p in Platform::ALL {
            out.extend(Metric::ALL.iter().map(|m| Target::Account(Some(*p), *m)));
        }
        out
    }

    /// The stable name stored in a mapping: `email`, `handle`, `instagram_followers`, …
    pub fn key(self) -> String {
        match self {
            Target::Ignore => "ignore".into(),
            Target::Id => "id".into(),
            Target::Creator(f) => f.key().into(),
            Target::Platform => "platform".into(),
            Target::ProfileUrl => "profile_url".into(),
            Target::Account(None, m) => m.key().into(),
            Target::Account(Some(p), m) => format!("{}_{}", p.slug(), m.key()),
            Target::CustomField => "custom_field".into(),
        }
    }

    pub fn parse(key: &str) -> Option<Target> {
        let key = key.trim();
        Target::all().into_iter().find(|t| t.key() == key)
    }

    /// The name people see in the mapping select.
    pub fn label(self) -> String {
        match self {
            Target::Ignore => "Don’t import".into(),
            Target::Id => "Rapport id".into(),
            Target::Creator(f) => f.label().into(),
            Target::Platform => "Platform of the handle".into(),
            Target::ProfileUrl => "Profile URL".into(),
            Target::Account(None, Metric::Handle) => "Handle or username".into(),
            Target::Account(None, m) => crate::validation::capitalise(m.label()),
            Target::Account(Some(p), m) => format!("{} {}", p.label(), m.label()),
            Target::CustomField => "Custom field (named after the column)".into(),
        }
    }

    /// The group it is listed under.
    pub fn group(self) -> String {
        match self {
            Target::Ignore | Target::Id | Target::Creator(_) | Target::CustomField => "Creator".into(),
            Target::Platform | Target::ProfileUrl | Target::Account(None, _) => {
                "Account (platform from a Platform column, the URL or the default)".into()
            }
            Target::Account(Some(p), _) => p.label().into(),
        }
    }

    /// Whether several columns may feed it (their values are combined).
    pub fn repeatable(self) -> bool {
        matches!(
            self,
            Target::Ignore | Target::Creator(Field::Tags) | Target::Creator(Field::Niches) | Target::CustomField
        )
    }

    fn names_an_account(self) -> bool {
        matches!(self, Target::ProfileUrl | Target::Account(_, Metric::Handle))
    }
}

/// Column index → target. Edited by the person before the import runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub columns: Vec<Target>,
}

impl Mapping {
    /// The stored form: one key per column.
    pub fn keys(&self) -> Vec<String> {
        self.columns.iter().map(|t| t.key()).collect()
    }

    /// Reads the stored or submitted form for a file of `width` columns (missing columns
    /// are ignored; unknown keys are errors naming the column).
    pub fn from_keys(keys: &[String], width: usize) -> Result<Mapping, Invalid> {
        let mut e = Invalid::new();
        let mut columns = Vec::with_capacity(width);
        for i in 0..width {
            match keys.get(i).map(String::as_str).filter(|k| !k.trim().is_empty()) {
                None => columns.push(Target::Ignore),
                Some(k) => match Target::parse(k) {
                    Some(t) => columns.push(t),
                    None => {
                        e.add(format!("mapping.{i}"), format!("“{k}” is not a field Rapport can import"));
                        columns.push(Target::Ignore);
                    }
                },
            }
        }
        e.into_result(Mapping { columns })
    }

    /// This mapping with some columns given other targets: each `(column, target)` names the
    /// column by its header (any case) or its letter (`C`), and the target by its key
    /// (`instagram_followers`, `ignore`, …). Errors name the column or the target not found.
    pub fn with_overrides(mut self, headers: &[String], overrides: &[(String, String)]) -> Result<Mapping, Invalid> {
        let mut e = Invalid::new();
        for (column, target) in overrides {
            let (column, target) = (column.trim(), target.trim());
            let at = headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(column))
                .or_else(|| (0..headers.len()).find(|i| column_letter(*i).eq_ignore_ascii_case(column)));
            let Some(i) = at else {
                e.add("map", format!("“{column}” is not a column of the file (its columns: {})", headers.join(", ")));
                continue;
            };
            match Target::parse(target) {
                Some(t) => self.columns[i] = t,
                None => e.add("map", format!("“{target}” is not a field Rapport can import (for column “{column}”)")),
            }
        }
        e.into_result(self)
    }

    pub fn has(&self, t: Target) -> bool {
        self.columns.contains(&t)
    }

    fn any(&self, f: impl Fn(Target) -> bool) -> bool {
        self.columns.iter().any(|t| f(*t))
    }

    /// A mapping suggested from the headers (and, for unknown headers, from sample
    /// values: a column of email addresses or of profile URLs is recognised).
    pub fn suggest(headers: &[String], samples: &[Vec<String>]) -> Mapping {
        let mut candidates: Vec<(u8, usize, Target)> = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            // A header's first choice stands unless the column's values say otherwise: an
            // "ID" of another tool's numbers is no Rapport id, a YouTube export's "Channel"
            // holds channel names, not platforms.
            let values = sample_values(samples, i);
            let pick = suggest_for_header(h).filter(|(_, t)| values_fit(*t, &values)).or_else(|| second_choice(h));
            if let Some((priority, t)) = pick {
                candidates.push((priority, i, t));
            }
        }
        candidates.sort();
        let mut columns = vec![Target::Ignore; headers.len()];
        let mut decided = vec![false; headers.len()];
        for (_, i, t) in candidates {
            // A platform-less figure may repeat for now: each may belong to the platform
            // column before it (below).
            let figure = matches!(t, Target::Account(None, m) if m != Metric::Handle);
            if decided[i] || (!t.repeatable() && !figure && columns.contains(&t)) {
                continue;
            }
            columns[i] = t;
            decided[i] = true;
        }
        for i in 0..headers.len() {
            if decided[i] {
                continue;
            }
            let values = sample_values(samples, i);
            if values.is_empty() {
                continue;
            }
            let guess = if values.iter().all(|v| crate::email::parse(v).is_ok()) {
                Some(Target::Creator(Field::Email))
            } else if values.iter().all(|v| super::platform_from_url(v).is_some()) {
                Some(Target::ProfileUrl)
            } else {
                None
            };
            if let Some(t) = guess.filter(|t| !columns.contains(t)) {
                columns[i] = t;
            }
        }
        // "ER %" next to "Instagram Username": with one platform's handle and no generic
        // handle, platform-less figures belong to that platform.
        let handles: Vec<Platform> = columns
            .iter()
            .filter_map(|t| match t {
                Target::Account(Some(p), Metric::Handle) => Some(*p),
                _ => None,
            })
            .collect();
        if let [only] = handles.as_slice()
            && !columns.iter().any(|t| t.names_an_account() && !matches!(t, Target::Account(Some(_), _)))
        {
            for i in 0..columns.len() {
                if let Target::Account(None, m) = columns[i] {
                    let specific = Target::Account(Some(*only), m);
                    columns[i] = if columns.contains(&specific) { Target::Ignore } else { specific };
                }
            }
        } else if handles.len() > 1 && !columns.iter().any(|t| matches!(t, Target::Account(None, Metric::Handle))) {
            // "Instagram, Followers, TikTok, Followers": a figure belongs to the platform whose
            // handle column is the nearest before it.
            for i in 0..columns.len() {
                let Target::Account(None, m) = columns[i] else { continue };
                let platform = columns[..i].iter().rev().find_map(|t| match t {
                    Target::Account(Some(p), Metric::Handle) => Some(*p),
                    _ => None,
                });
                if let Some(p) = platform.filter(|p| !columns.contains(&Target::Account(Some(*p), m))) {
                    columns[i] = Target::Account(Some(p), m);
                }
            }
        }
        // A figure still without a platform is taken once; its repeats are left out.
        for i in 0..columns.len() {
            if matches!(columns[i], Target::Account(None, _)) && columns[..i].contains(&columns[i]) {
                columns[i] = Target::Ignore;
            }
        }
        Mapping { columns }
    }

    /// Everything wrong with the mapping for an import in `mode` matching on `key`, by
    /// `mapping.{column}` or `match_key`.
    pub fn check(&self, headers: &[String], mode: Mode, key: MatchKey) -> Invalid {
        let mut e = Invalid::new();
        let name = |i: usize| format!("column {} (“{}”)", column_letter(i), headers.get(i).map_or("", |h| h.as_str()));
        for (i, t) in self.columns.iter().enumerate() {
            if t.repeatable() {
                continue;
            }
            if let Some(first) = self.columns[..i].iter().position(|o| o == t) {
                e.add(format!("mapping.{i}"), format!("{} is already chosen for {}", t.label(), name(first)));
            }
        }
        let mut custom: Vec<(String, usize)> = Vec::new();
        for (i, t) in self.columns.iter().enumerate() {
            if *t != Target::CustomField {
                continue;
            }
            match headers.get(i).and_then(|h| custom_field_name(h)) {
                None => e.add(
                    format!("mapping.{i}"),
                    format!("{} has no name to give a custom field: its header needs a letter or digit", name(i)),
                ),
                Some(field) => match custom.iter().find(|(f, _)| *f == field) {
                    Some((_, first)) => e.add(
                        format!("mapping.{i}"),
                        format!("custom field “{field}” is already imported from {}", name(*first)),
                    ),
                    None => custom.push((field, i)),
                },
            }
        }
        let identifies = self.any(|t| {
            matches!(
                t,
                Target::Id | Target::Creator(Field::DisplayName | Field::FirstName | Field::LastName | Field::Email)
            ) || t.names_an_account()
        });
        if !identifies {
            e.add("mapping", "nothing names a creator: choose a column for Display name, Email, Handle or Profile URL");
        }
        let generic_account = self.any(|t| matches!(t, Target::ProfileUrl | Target::Account(None, Metric::Handle)));
        for (i, t) in self.columns.iter().enumerate() {
            match t {
                Target::Account(None, m) if *m != Metric::Handle && !generic_account => e.add(
                    format!("mapping.{i}"),
                    format!("{} needs a Handle or Profile URL column to know whose account it is", t.label()),
                ),
                Target::Account(Some(p), m)
                    if *m != Metric::Handle
                        && !self.has(Target::Account(Some(*p), Metric::Handle))
                        && !generic_account =>
                {
                    e.add(
                        format!("mapping.{i}"),
                        format!("{} needs a {} handle column to know whose account it is", t.label(), p.label()),
                    )
                }
                _ => {}
            }
        }
        if mode != Mode::Create {
            let ok = match key {
                MatchKey::Email => self.has(Target::Creator(Field::Email)),
                MatchKey::EmailOrHandle => {
                    self.has(Target::Creator(Field::Email)) || self.any(Target::names_an_account)
                }
                MatchKey::Handle => self.any(Target::names_an_account),
                MatchKey::Id => self.has(Target::Id),
            };
            if !ok {
                e.add(
                    "match_key",
                    format!("matching on {} needs a column mapped to {}", key.label(), key.column_hint()),
                );
            }
        }
        e
    }
}

/// How Rapport's export names a custom field's column: `custom.rate_card`.
pub const CUSTOM_FIELD_PREFIX: &str = "custom.";

/// The custom field a column mapped to [`Target::CustomField`] fills, named after its
/// header: Rapport's export prefix dropped, lower-case letters (accents folded) and digits
/// joined by `_` ("Rate card (EUR)" → `rate_card_eur`, "custom.agency" → `agency`, "Größe" →
/// `grosse`), at most 40
/// characters — a name the creator's custom fields accept. `None` when nothing is left.
pub fn custom_field_name(header: &str) -> Option<String> {
    let h = header.trim();
    let h = match h.get(..CUSTOM_FIELD_PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(CUSTOM_FIELD_PREFIX) => &h[CUSTOM_FIELD_PREFIX.len()..],
        _ => h,
    };
    let mut name = String::new();
    for c in crate::creators::sort_name(h).chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name: String = name.trim_end_matches('_').chars().take(40).collect();
    let name = name.trim_end_matches('_').to_owned();
    (!name.is_empty()).then_some(name)
}

/// Lower-case words of a header: "E-Mail Address" → "e mail address",
/// "instagram_followers" → "instagram followers", "Engagement rate (%)" → "engagement rate".
pub fn normalise_header(h: &str) -> String {
    // "engagementRate", "avgViews": one word in camel case is several.
    let camel = !h.contains(|c: char| !c.is_alphanumeric()) && h.contains(char::is_lowercase);
    let mut spaced = String::with_capacity(h.len() + 4);
    let mut previous: Option<char> = None;
    for c in h.chars() {
        if camel && c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
            spaced.push(' ');
        }
        spaced.push(if c.is_alphanumeric() { c } else { ' ' });
        previous = Some(c);
    }
    spaced.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

const FIELD_NAMES: &[(Field, &[&str])] = &[
    (
        Field::DisplayName,
        &[
            "display name", "name", "full name", "fullname", "creator", "creator name", "influencer",
            "influencer name", "talent", "talent name", "account name", "channel name", "nickname",
        ],
    ),
    (Field::FirstName, &["first name", "firstname", "given name", "forename", "first"]),
    (Field::LastName, &["last name", "lastname", "surname", "family name", "last"]),
    (Field::LegalName, &["legal name", "real name"]),
    (Field::Pronouns, &["pronouns"]),
    (
        Field::Email,
        &[
            "email", "e mail", "email address", "e mail address", "mail", "contact email", "business email",
            "public email", "email addresses", "emails", "e mails", "email 1", "primary email",
        ],
    ),
    (Field::Phone, &["phone", "phone number", "mobile", "mobile number", "telephone", "tel", "whatsapp"]),
    (Field::Website, &["website", "web site", "site", "homepage", "website url", "web"]),
    (
        Field::Country,
        &["country", "country code", "location country", "creator country", "country region", "country or region"],
    ),
    (Field::City, &["city", "town", "location", "location city", "creator city"]),
    (Field::Languages, &["languages", "language", "lang"]),
    (Field::Timezone, &["timezone", "time zone", "tz"]),
    (Field::Niches, &["niches", "niche", "category", "categories", "topics", "topic", "verticals", "vertical"]),
    (Field::Tags, &["tags", "tag", "labels", "label"]),
    (Field::Stage, &["stage", "lifecycle stage", "pipeline stage"]),
    (Field::DoNotContact, &["do not contact", "dnc", "opted out"]),
    (Field::Source, &["source", "lead source"]),
    (Field::Bio, &["bio", "biography", "description", "about", "profile bio", "summary"]),
    (Field::ToneNotes, &["tone notes", "tone"]),
];

const METRIC_NAMES: &[(Metric, &[&str])] = &[
    (Metric::Handle, &["handle", "username", "user name", "account", "screen name", "social handle", "user"]),
    (
        Metric::Followers,
        &[
            "followers", "follower", "follower count", "followers count", "subscribers", "subscriber count", "fans",
            "audience size", "number of followers", "total followers", "subs", "subscribers count",
        ],
    ),
    (
        Metric::AverageViews,
        &[
            "avg views", "average views", "views", "avg video views", "average video views", "avg views per video",
            "average reel views", "avg reel views", "average plays", "avg plays", "average views per post",
        ],
    ),
    (
        Metric::EngagementRate,
        &[
            "engagement rate", "engagement", "er", "eng rate", "avg engagement rate", "average engagement rate",
            "engagement rate pct", "engagement rate percent", "engagement rate in percent", "avg er", "average er",
            "engagement percent",
        ],
    ),
];

const URL_NAMES: &[&str] = &["profile url", "url", "profile link", "link", "profile", "social url", "account url"];
const PLATFORM_NAMES: &[&str] =
    &["platform", "network", "social network", "channel", "social platform", "social media"];
/// Columns of Rapport's export that are computed, not imported.
const COMPUTED: &[&str] = &[
    "max followers", "tier", "fit score", "created at", "updated at", "deleted at", "owner", "owner name",
    "other accounts",
];

fn platform_names(p: Platform) -> Vec<String> {
    let mut names = vec![p.slug().to_string(), p.label().to_lowercase()];
    let aliases: &[&str] = match p {
        Platform::Instagram => &["ig", "insta"],
        Platform::Tiktok => &["tik tok", "tt"],
        Platform::Youtube => &["yt", "you tube"],
        Platform::X => &["twitter"],
        Platform::Linkedin => &["linked in"],
        _ => &[],
    };
    names.extend(aliases.iter().map(|a| a.to_string()));
    names
}

fn metric_for(words: &str) -> Option<(u8, Metric)> {
    if let Some((m, _)) = METRIC_NAMES.iter().find(|(_, names)| names.contains(&words)) {
        return Some((0, *m));
    }
    // "Instagram URL": a profile URL names the handle too, but a real handle column wins.
    URL_NAMES.contains(&words).then_some((2, Metric::Handle))
}

/// The non-blank sample values of column `i`.
fn sample_values(samples: &[Vec<String>], i: usize) -> Vec<&str> {
    samples.iter().filter_map(|r| r.get(i)).map(|v| v.trim()).filter(|v| !is_blank(v)).collect()
}

/// Whether sample values can be what `t` reads: some of them are (one mistyped value
/// leaves a real Platform column a Platform column, and the row fails on it), or there are
/// none to say. A target that reads any text fits all.
fn values_fit(t: Target, values: &[&str]) -> bool {
    let some = |ok: fn(&str) -> bool| values.is_empty() || values.iter().any(|v| ok(v));
    match t {
        Target::Id => some(|v| v.parse::<crate::ids::CreatorId>().is_ok()),
        Target::Platform => some(|v| Platform::parse(v).is_ok()),
        _ => true,
    }
}

/// What a header means when its values rule out its first choice.
fn second_choice(header: &str) -> Option<(u8, Target)> {
    matches!(normalise_header(header).as_str(), "channel" | "channel title")
        .then_some((2, Target::Creator(Field::DisplayName)))
}

/// The target a header suggests and how sure that is (lower is surer).
fn suggest_for_header(header: &str) -> Option<(u8, Target)> {
    let prefix = header.trim().get(..CUSTOM_FIELD_PREFIX.len());
    if prefix.is_some_and(|p| p.eq_ignore_ascii_case(CUSTOM_FIELD_PREFIX)) {
        return custom_field_name(header).map(|_| (0, Target::CustomField));
    }
    let h = normalise_header(header);
    if h.is_empty() {
        return None;
    }
    if COMPUTED.contains(&h.as_str()) {
        return None;
    }
    if matches!(h.as_str(), "id" | "rapport id" | "creator id") {
        return Some((0, Target::Id));
    }
    for p in Platform::ALL {
        for name in platform_names(*p) {
            if h == name {
                return Some((1, Target::Account(Some(*p), Metric::Handle)));
            }
            let rest = h.strip_prefix(&format!("{name} ")).or_else(|| h.strip_suffix(&format!(" {name}")));
            if let Some((priority, m)) = rest.and_then(metric_for) {
                return Some((priority, Target::Account(Some(*p), m)));
            }
        }
    }
    if let Some((f, _)) = FIELD_NAMES.iter().find(|(_, names)| names.contains(&h.as_str())) {
        return Some((1, Target::Creator(*f)));
    }
    if PLATFORM_NAMES.contains(&h.as_str()) {
        return Some((1, Target::Platform));
    }
    if URL_NAMES.contains(&h.as_str()) {
        return Some((1, Target::ProfileUrl));
    }
    METRIC_NAMES.iter().find(|(_, names)| names.contains(&h.as_str())).map(|(m, _)| (1, Target::Account(None, *m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_name_columns_by_header_or_letter_and_targets_by_key() {
        let headers: Vec<String> = ["Name", "Instagram URL", "TikTok", "Followers"].map(String::from).to_vec();
        let m = Mapping::suggest(&headers, &[]);
        let changed = m
            .clone()
            .with_overrides(
                &headers,
                &[("followers".into(), "instagram_followers".into()), ("C".into(), "ignore".into())],
            )
            .unwrap();
        assert_eq!(changed.columns[3], Target::Account(Some(Platform::Instagram), Metric::Followers));
        assert_eq!(changed.columns[2], Target::Ignore);
        assert_eq!(changed.columns[0], m.columns[0], "the others as suggested");
        let err = m.with_overrides(&headers, &[("Fans".into(), "followers".into()), ("Name".into(), "nom".into())]);
        let err = err.unwrap_err();
        assert!(err.message_for("map").unwrap().contains("“Fans” is not a column"), "{err:?}");
    }

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|h| h.to_string()).collect()
    }

    fn suggested(hs: &[&str]) -> Vec<String> {
        Mapping::suggest(&headers(hs), &[]).keys()
    }

    #[test]
    fn common_export_headers_are_recognised() {
        assert_eq!(
            suggested(&[
                "Username", "Full name", "Followers", "Engagement rate (%)", "Country", "E-mail", "Profile URL",
                "City", "Tags", "Niches", "Bio", "Avg. views", "Platform", "Notes",
            ]),
            vec![
                "handle", "display_name", "followers", "engagement_rate_pct", "country", "email", "profile_url",
                "city", "tags", "niches", "bio", "average_views", "platform", "ignore",
            ]
        );
        assert_eq!(suggested(&["Handle", "Name", "URL"]), vec!["handle", "display_name", "profile_url"]);
    }

    #[test]
    fn platform_named_columns_go_to_that_platform() {
        assert_eq!(
            suggested(&["Instagram Username", "YouTube Subscribers", "TikTok", "Twitter followers", "Instagram URL"]),
            vec!["instagram_handle", "youtube_followers", "tiktok_handle", "x_followers", "ignore"]
        );
        assert_eq!(suggested(&["Instagram URL"]), vec!["instagram_handle"], "a URL column names the handle when alone");
    }

    #[test]
    fn rapport_exports_map_back_to_their_own_fields() {
        let mut hs: Vec<String> = [
            "id", "display_name", "legal_name", "pronouns", "email", "phone", "website", "country", "city",
            "languages", "timezone", "niches", "tags", "stage", "do_not_contact", "source", "bio", "tone_notes",
            "max_followers", "tier", "fit_score", "owner", "created_at", "updated_at",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for p in Platform::ALL {
            for c in ["handle", "followers", "average_views", "engagement_rate_pct"] {
                hs.push(format!("{}_{c}", p.slug()));
            }
        }
        hs.push("other_accounts".into());
        let m = Mapping::suggest(&hs, &[]);
        for (h, t) in hs.iter().zip(m.keys()) {
            let computed =
                ["max_followers", "tier", "fit_score", "owner", "created_at", "updated_at", "other_accounts"]
                    .contains(&h.as_str());
            assert_eq!(t, if computed { "ignore" } else { h.as_str() }, "{h}");
        }
        assert!(m.check(&hs, Mode::Upsert, MatchKey::Id).is_empty());
    }

    #[test]
    fn custom_field_columns_are_named_after_their_headers() {
        assert_eq!(custom_field_name("custom.rate_card").as_deref(), Some("rate_card"));
        assert_eq!(custom_field_name("Custom.Agency").as_deref(), Some("agency"));
        assert_eq!(custom_field_name("Rate card (EUR)").as_deref(), Some("rate_card_eur"));
        assert_eq!(custom_field_name("Größe").as_deref(), Some("grosse"));
        assert_eq!(custom_field_name(&"x".repeat(60)).map(|n| n.len()), Some(40));
        assert_eq!(custom_field_name("custom.—"), None);
        let hs = headers(&["Email", "custom.agency", "Agency", "★"]);
        let m = Mapping::suggest(&hs, &[]);
        assert_eq!(
            m.keys(),
            vec!["email", "custom_field", "ignore", "ignore"],
            "only the export's prefix is suggested"
        );
        let mut chosen = m.clone();
        chosen.columns[2] = Target::CustomField;
        chosen.columns[3] = Target::CustomField;
        let problems = chosen.check(&hs, Mode::Create, MatchKey::Email);
        let messages: Vec<(&str, &str)> =
            problems.errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(
            messages,
            vec![
                ("mapping.2", "custom field “agency” is already imported from column B (“custom.agency”)"),
                ("mapping.3", "column D (“★”) has no name to give a custom field: its header needs a letter or digit"),
            ]
        );
    }

    #[test]
    fn unknown_headers_are_guessed_from_their_values() {
        let samples = vec![
            vec!["lena@example.com".to_string(), "https://instagram.com/lena".to_string(), "x".to_string()],
            vec!["olga@example.org".to_string(), "tiktok.com/@olga".to_string(), "y".to_string()],
        ];
        assert_eq!(
            Mapping::suggest(&headers(&["Kontakt", "Link zum Profil", "Misc"]), &samples).keys(),
            vec!["email", "profile_url", "ignore"]
        );
    }

    #[test]
    fn an_id_column_is_rapports_only_when_its_values_are_rapport_ids() {
        let rows = |a: &str, b: &str| vec![vec![a.to_string(), "lena@example.com".into()], vec![b.into(), "".into()]];
        let hs = headers(&["ID", "Email"]);
        assert_eq!(Mapping::suggest(&hs, &rows("1", "2")).keys(), vec!["ignore", "email"], "another tool's numbers");
        let ours = ("cr_01a21966a34177b08ea118d691c58a1f", "cr_01a21966a342746b831660a883d9f8d6");
        assert_eq!(Mapping::suggest(&hs, &rows(ours.0, ours.1)).keys(), vec!["id", "email"]);
        assert_eq!(Mapping::suggest(&hs, &[]).keys(), vec!["id", "email"], "no values say otherwise");
    }

    #[test]
    fn a_channel_column_of_names_is_the_display_name() {
        let hs = headers(&["Channel", "Channel URL", "Subscribers"]);
        let names = vec![vec!["Lena Bakes".to_string(), "https://www.youtube.com/@LenaBakes".into(), "1.2M".into()]];
        assert_eq!(Mapping::suggest(&hs, &names).keys(), vec!["display_name", "profile_url", "followers"]);
        let platforms = vec![
            vec!["YouTube".to_string(), "https://www.youtube.com/@LenaBakes".into(), "1.2M".into()],
            vec!["Myspace".to_string(), "".into(), "".into()],
        ];
        assert_eq!(Mapping::suggest(&hs, &platforms).keys(), vec!["platform", "profile_url", "followers"]);
        let named = headers(&["Name", "Channel"]);
        let both = vec![vec!["Lena".to_string(), "Lena Bakes".into()]];
        assert_eq!(Mapping::suggest(&named, &both).keys(), vec!["display_name", "ignore"], "a Name column wins");
    }

    #[test]
    fn camel_case_headers_and_more_export_spellings_are_recognised() {
        assert_eq!(
            suggested(&["fullName", "engagementRate", "avgViews", "Handle", "YT Subs", "Emails", "Country/Region"]),
            vec![
                "display_name", "engagement_rate_pct", "average_views", "handle", "youtube_followers", "email",
                "country"
            ]
        );
        assert_eq!(suggested(&["Avg ER", "Handle"]), vec!["engagement_rate_pct", "handle"]);
        assert_eq!(suggested(&["LinkedIn", "TikTok Followers"]), vec!["linkedin_handle", "tiktok_followers"]);
    }

    #[test]
    fn first_and_last_name_columns_are_recognised() {
        assert_eq!(suggested(&["First Name", "Last Name", "Email"]), vec!["first_name", "last_name", "email"]);
        assert!(
            Mapping::suggest(&headers(&["First Name", "Last Name"]), &[])
                .check(&headers(&["a", "b"]), Mode::Create, MatchKey::Email)
                .is_empty()
        );
    }

    #[test]
    fn figures_after_each_platform_column_belong_to_that_platform() {
        assert_eq!(
            suggested(&["Name", "Instagram", "Followers", "ER", "TikTok", "Followers", "ER"]),
            vec![
                "display_name",
                "instagram_handle",
                "instagram_followers",
                "instagram_engagement_rate_pct",
                "tiktok_handle",
                "tiktok_followers",
                "tiktok_engagement_rate_pct"
            ]
        );
    }

    #[test]
    fn a_mapping_round_trips_through_its_keys_and_refuses_unknown_ones() {
        let m = Mapping::suggest(&headers(&["Name", "Instagram followers", "Instagram"]), &[]);
        assert_eq!(Mapping::from_keys(&m.keys(), 3).unwrap(), m);
        let err = Mapping::from_keys(&["name".into(), "shoe_size".into()], 2).unwrap_err();
        assert_eq!(err.errors[0].field, "mapping.0");
        assert_eq!(err.errors[1].field, "mapping.1");
    }

    #[test]
    fn a_mapping_names_its_problems_by_column() {
        let hs = headers(&["Name", "Mail", "E-mail", "Followers", "TikTok views"]);
        let m = Mapping::from_keys(
            &["display_name".into(), "email".into(), "email".into(), "followers".into(), "tiktok_average_views".into()],
            5,
        )
        .unwrap();
        let e = m.check(&hs, Mode::Update, MatchKey::Id);
        assert!(e.message_for("mapping.2").unwrap().contains("already chosen for column B (“Mail”)"));
        assert!(e.message_for("mapping.3").unwrap().contains("needs a Handle or Profile URL column"));
        assert!(e.message_for("mapping.4").unwrap().contains("needs a TikTok handle column"));
        assert!(e.message_for("match_key").unwrap().contains("Rapport id"));
        let nothing =
            Mapping::from_keys(&["city".into()], 1).unwrap().check(&headers(&["City"]), Mode::Create, MatchKey::Email);
        assert!(nothing.message_for("mapping").unwrap().contains("nothing names a creator"));
    }

    #[test]
    fn every_target_has_a_unique_key_that_parses_back() {
        let all = Target::all();
        for t in &all {
            assert_eq!(Target::parse(&t.key()), Some(*t));
        }
        let mut keys: Vec<String> = all.iter().map(|t| t.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), all.len());
    }
}
