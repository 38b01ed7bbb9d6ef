//! Importing creators from spreadsheets: reading a CSV robustly ([`read`]), numbers as
//! people type them ([`numbers`]), which column feeds which field ([`mapping`]), and one
//! row → a creator input or its problems ([`row`]). Pure functions; the app layer stores
//! jobs and writes creators.

pub(crate) mod countries;
pub mod languages;
pub mod mapping;
pub mod numbers;
pub mod read;
pub mod row;

pub use mapping::{CUSTOM_FIELD_PREFIX, Field, Mapping, Metric, Target, custom_field_name};
pub use read::{Record, Rows, Table, column_letter, read_table, read_text, rows};
pub use row::{ImportRow, RowOptions, to_row};

use crate::ids::BadId;
use crate::platform::Platform;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// What an import does with each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Every row becomes a new creator; a row matching an existing one (same email or
    /// handle) fails as a duplicate.
    Create,
    /// Every row changes the creator it matches; a row matching none fails.
    Update,
    /// A row changes the creator it matches, or becomes a new one.
    Upsert,
}

impl Mode {
    pub const ALL: &'static [Mode] = &[Mode::Create, Mode::Update, Mode::Upsert];

    pub fn slug(self) -> &'static str {
        match self {
            Mode::Create => "create",
            Mode::Update => "update",
            Mode::Upsert => "upsert",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::Create => "Create new creators only",
            Mode::Update => "Update existing creators only",
            Mode::Upsert => "Update existing creators, create the rest",
        }
    }

    pub fn parse(s: &str) -> Result<Mode, String> {
        let s = s.trim().to_ascii_lowercase();
        Mode::ALL.iter().copied().find(|m| m.slug() == s).ok_or_else(|| "must be create, update or upsert".into())
    }
}

/// How a row finds the creator it updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchKey {
    Email,
    /// The email; a row whose email finds no creator (or that has none) by its handles —
    /// for a file that adds emails to creators known so far by their accounts.
    EmailOrHandle,
    /// Platform + handle of any of the row's accounts.
    Handle,
    /// Rapport's creator id (a re-imported export).
    Id,
}

impl MatchKey {
    pub const ALL: &'static [MatchKey] = &[MatchKey::Email, MatchKey::EmailOrHandle, MatchKey::Handle, MatchKey::Id];

    pub fn slug(self) -> &'static str {
        match self {
            MatchKey::Email => "email",
            MatchKey::EmailOrHandle => "email_or_handle",
            MatchKey::Handle => "handle",
            MatchKey::Id => "id",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MatchKey::Email => "email",
            MatchKey::EmailOrHandle => "email, else platform + handle",
            MatchKey::Handle => "platform + handle",
            MatchKey::Id => "Rapport id",
        }
    }

    /// The mapping target(s) the key reads, for messages.
    pub fn column_hint(self) -> &'static str {
        match self {
            MatchKey::Email => "Email",
            MatchKey::EmailOrHandle => "Email, or a handle or a Profile URL",
            MatchKey::Handle => "a handle or a Profile URL",
            MatchKey::Id => "Rapport id",
        }
    }

    pub fn parse(s: &str) -> Result<MatchKey, String> {
        let s = s.trim().to_ascii_lowercase();
        MatchKey::ALL
            .iter()
            .copied()
            .find(|m| m.slug() == s)
            .ok_or_else(|| "must be email, email_or_handle, handle or id".into())
    }

    /// The natural key for a mapping: the id when the file has Rapport ids, else the
    /// email, else handles.
    pub fn suggest(mapping: &Mapping) -> MatchKey {
        if mapping.has(Target::Id) {
            MatchKey::Id
        } else if mapping.has(Target::Creator(Field::Email)) {
            MatchKey::Email
        } else {
            MatchKey::Handle
        }
    }
}

/// An import job, shown as `imp_…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImportJobId(pub Uuid);

impl ImportJobId {
    pub const PREFIX: &'static str = "imp";

    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for ImportJobId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ImportJobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", Self::PREFIX, self.0.simple())
    }
}

impl FromStr for ImportJobId {
    type Err = BadId;

    fn from_str(s: &str) -> Result<Self, BadId> {
        let bad = BadId { kind: "import job", prefix: Self::PREFIX };
        let rest = s.trim().strip_prefix("imp_").ok_or(bad.clone())?;
        if rest.len() != 32 {
            return Err(bad);
        }
        Uuid::try_parse(rest).map(Self).map_err(|_| bad)
    }
}

impl serde::Serialize for ImportJobId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The platform whose profile URL this is ("instagram.com/lena" → Instagram), if any.
pub fn platform_from_url(value: &str) -> Option<Platform> {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let absolute = if lower.starts_with("http://") || lower.starts_with("https://") {
        v.to_owned()
    } else if lower.contains('.') && lower.contains('/') && !lower.contains(' ') {
        format!("https://{v}")
    } else {
        return None;
    };
    let parsed = url::Url::parse(&absolute).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    let host = host.trim_start_matches("www.").trim_start_matches("m.");
    Platform::ALL.iter().copied().find(|p| p.hosts().iter().any(|h| host == *h || host.ends_with(&format!(".{h}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_urls_name_their_platform() {
        assert_eq!(platform_from_url("https://www.instagram.com/lena/"), Some(Platform::Instagram));
        assert_eq!(platform_from_url("tiktok.com/@lena"), Some(Platform::Tiktok));
        assert_eq!(platform_from_url("https://m.youtube.com/@lena"), Some(Platform::Youtube));
        assert_eq!(platform_from_url("https://twitter.com/lena"), Some(Platform::X));
        assert_eq!(platform_from_url("https://lena.blog/about"), None);
        assert_eq!(platform_from_url("@lena"), None);
    }

    #[test]
    fn an_old_excel_export_reads_end_to_end() {
        let t = read_table(include_bytes!("../tests/fixtures/excel_cp1252_semicolon.csv")).unwrap();
        assert_eq!(t.separator, ';');
        assert_eq!(t.warnings.len(), 1, "read as Windows-1252");
        let m = Mapping::suggest(&t.headers, &[]);
        assert_eq!(
            m.keys(),
            vec![
                "display_name",
                "instagram_handle",
                "instagram_followers",
                "instagram_engagement_rate_pct",
                "country",
                "email",
                "niches"
            ]
        );
        assert!(m.check(&t.headers, Mode::Create, MatchKey::Email).is_empty());
        let opts = RowOptions { default_platform: None, now: crate::actor::now() };
        let rows: Vec<ImportRow> = t.records.iter().map(|r| to_row(&m, &t.headers, &r.cells, &opts).unwrap()).collect();
        assert_eq!(rows[0].input.display_name.as_deref(), Some("Zoë Müller"));
        assert_eq!(rows[0].input.country.as_deref(), Some("DE"));
        assert_eq!(rows[0].input.niches, Some(vec!["Fashion".to_string(), "Lifestyle".to_string()]));
        assert_eq!((rows[0].accounts[0].followers, rows[0].accounts[0].engagement_rate_pct), (Some(12_500), Some(4.2)));
        assert_eq!(rows[0].accounts[0].handle.normalized, "zoe.mueller");
        assert_eq!(rows[1].input.display_name.as_deref(), Some("Ångström Café"));
        assert_eq!(rows[1].accounts[0].followers, Some(1_200_000));
        assert_eq!(rows[1].email(), None);
        assert_eq!(rows[2].input.display_name.as_deref(), Some("François “Fifi” Dupont"));
        assert_eq!(rows[2].accounts[0].engagement_rate_pct, None);
        assert_eq!(t.records[2].number, 4, "the sep= line is not a row");
    }

    #[test]
    fn job_ids_round_trip() {
        let id = ImportJobId::new();
        assert_eq!(id.to_string().parse::<ImportJobId>(), Ok(id));
        assert!("cr_0193".parse::<ImportJobId>().is_err());
    }

    #[test]
    fn modes_and_keys_parse_by_name() {
        assert_eq!(Mode::parse("Upsert"), Ok(Mode::Upsert));
        assert!(Mode::parse("merge").is_err());
        assert_eq!(MatchKey::parse("id"), Ok(MatchKey::Id));
    }
}
