//! What a page of creators shows beside each creator — its contact points, tags and social
//! accounts — read with the creators in one statement, as one JSON text the database builds.
//!
//! A page used to be two statements whose rows carried some fifty columns a creator; the
//! drivers copy, look up and decode every value of every row, and on SQLite each row also
//! crosses from a connection's worker thread to the task reading it (a thread wake-up), which
//! cost far more than the database's own work. One text is one value to hand over, and serde
//! reads it in one pass. The engines spell JSON differently (SQLite has no UUID or boolean
//! type and prints floats with 15 digits; serde_json may read a number one bit off), so the
//! statement writes each column in a form both readings agree on: ids as hex or as text,
//! floats as text that gives back the same float, times as stored.

use super::{COLUMN_NAMES, ContactRow, CreatorRow, STAGE_ENTERED_VALUE};
use crate::accounts::AccountRow;
use crate::args;
use crate::db::{Backend, Conn};
use crate::error::{StoreError, StoreResult};
use crate::sql::Filter;
use serde::Deserialize;
use serde::de::{Deserializer, Error as _, Visitor};
use std::collections::HashMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// One creator's contact points (primary first, then by kind and value), tags (by name) and
/// accounts (largest following first, then by platform), as their own listings order them.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Relations {
    pub contacts: Vec<ContactRow>,
    pub tags: Vec<String>,
    pub accounts: Vec<AccountRow>,
}

/// The creators with these ids in the workspace (deleted ones too), each with its relations,
/// in no particular order; an id of no such creator is left out.
pub async fn get_many_with_relations(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<Vec<(CreatorRow, Relations)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let json = Json(c.backend());
    let mut row: Vec<String> = COLUMN_NAMES.iter().map(|col| json.value(&format!("c.{col}"), col)).collect();
    row.push(STAGE_ENTERED_VALUE.to_owned());
    let text = read(c, workspace_id, ids, &json.array(&row)).await?;
    let creators: Vec<Read<RowJson>> = parse(&text)?;
    Ok(creators
        .into_iter()
        .map(|(row, contacts, tags, accounts)| {
            let relations = relations_of(row.id.0, contacts, tags, accounts);
            (row.into_row(), relations)
        })
        .collect())
}

/// The relations of these creators of the workspace, by creator (a creator without any has
/// an empty entry; an id of no such creator none).
pub async fn relations(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Relations>> {
    if creator_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let id = Json(c.backend()).value("c.id", "id");
    let text = read(c, workspace_id, creator_ids, &id).await?;
    let creators: Vec<Read<Id>> = parse(&text)?;
    Ok(creators
        .into_iter()
        .map(|(Id(id), contacts, tags, accounts)| (id, relations_of(id, contacts, tags, accounts)))
        .collect())
}

/// A JSON array of one array a creator of `ids`: `head`, then its contact points, tags and
/// accounts (each an array). One row for all: on SQLite every row is a hand-over between the
/// connection's worker thread and the task reading it.
async fn read(c: &mut Conn<'_>, workspace_id: Uuid, ids: &[Uuid], head: &str) -> StoreResult<String> {
    let json = Json(c.backend());
    let mut f = Filter::with_args(args![workspace_id]);
    let list = f.uuid_list(ids);
    let contacts = json.agg(
        &json.array(&["p.kind", "p.value", "p.normalized", "p.is_primary"]),
        "contact_points p WHERE p.creator_id = c.id",
        "p.is_primary DESC, p.kind, p.value",
    );
    let tags = json.agg("t.tag", "creator_tags t WHERE t.creator_id = c.id", "t.tag");
    let account: Vec<String> = ACCOUNT_COLUMNS.iter().map(|col| json.value(&format!("a.{col}"), col)).collect();
    let accounts = json.agg(
        &json.array(&account),
        "social_accounts a WHERE a.workspace_id = c.workspace_id AND a.creator_id = c.id",
        "a.followers DESC NULLS LAST, a.platform, a.id",
    );
    let (sql, a) = f.finish(format!(
        "SELECT {} AS creators FROM creators c WHERE c.workspace_id = $1 AND c.id IN ({list})",
        json.all(&json.array(&[head, &contacts, &tags, &accounts]))
    ));
    let (text,): (String,) = c.fetch_one(sql, a).await?;
    Ok(text)
}

fn relations_of(
    creator_id: Uuid,
    contacts: Vec<ContactJson>,
    tags: Vec<String>,
    accounts: Vec<AccountJson>,
) -> Relations {
    Relations {
        contacts: contacts
            .into_iter()
            .map(|p| ContactRow { creator_id, kind: p.0, value: p.1, normalized: p.2, is_primary: p.3 })
            .collect(),
        tags,
        accounts: accounts.into_iter().map(|a| a.into_row(creator_id)).collect(),
    }
}

/// A creator as [`read`] gives it: `head`, contact points, tags, accounts.
type Read<Head> = (Head, Vec<ContactJson>, Vec<String>, Vec<AccountJson>);

fn parse<'a, T: Deserialize<'a>>(text: &'a str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("a creator read as JSON did not parse: {e}")))
}

/// The account columns, in [`AccountJson`]'s order.
const ACCOUNT_COLUMNS: [&str; 15] = [
    "id", "platform", "handle", "handle_normalized", "url", "platform_user_id", "followers", "average_views",
    "engagement_rate_pct", "audience", "audience_quality_pct", "source", "observed_at", "created_at", "updated_at",
];

/// Columns whose JSON form differs between the engines.
const UUIDS: [&str; 3] = ["id", "workspace_id", "owner_id"];
const FLOATS: [&str; 2] = ["engagement_rate_pct", "audience_quality_pct"];

/// The JSON dialect of one engine.
struct Json(Backend);

impl Json {
    /// `expr`, a value of the column `col`, in a form both engines' JSON agree on.
    fn value(&self, expr: &str, col: &str) -> String {
        match self.0 {
            // SQLite stores ids as 16-byte blobs (which JSON cannot hold) and prints a float
            // with 15 significant digits, not the 17 that give back the same float; floats
            // travel as text on both engines.
            Backend::Sqlite if UUIDS.contains(&col) => format!("lower(hex({expr}))"),
            Backend::Sqlite if FLOATS.contains(&col) => {
                format!("CASE WHEN {expr} IS NULL THEN NULL ELSE printf('%!.17g', {expr}) END")
            }
            // serde_json reads a number to the nearest float or one next to it; Rust's own
            // parsing of the text is exact.
            Backend::Postgres if FLOATS.contains(&col) => format!("CAST({expr} AS TEXT)"),
            _ => expr.to_owned(),
        }
    }

    /// A JSON array of `values`.
    fn array(&self, values: &[impl AsRef<str>]) -> String {
        let values: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
        match self.0 {
            Backend::Sqlite => format!("json_array({})", values.join(", ")),
            Backend::Postgres => format!("json_build_array({})", values.join(", ")),
        }
    }

    /// The JSON array of `item` for every row of `from_where`, in `order` (`[]` for none).
    fn agg(&self, item: &str, from_where: &str, order: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("json((SELECT json_group_array({item} ORDER BY {order}) FROM {from_where}))"),
            Backend::Postgres => {
                format!("(SELECT COALESCE(json_agg({item} ORDER BY {order}), '[]'::json) FROM {from_where})")
            }
        }
    }

    /// The text of a JSON array of `item` for every row (`[]` for none).
    fn all(&self, item: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("json_group_array({item})"),
            Backend::Postgres => format!("CAST(COALESCE(json_agg({item}), '[]'::json) AS TEXT)"),
        }
    }
}

/// An id: a UUID's hyphenated or plain hex text (SQLite gives `""` for `hex(NULL)`).
#[derive(Debug)]
struct Id(Uuid);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        opt_uuid(d)?.map(Id).ok_or_else(|| D::Error::custom("a required id is missing"))
    }
}

fn opt_uuid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Uuid>, D::Error> {
    match Option::<&str>::deserialize(d)? {
        None | Some("") => Ok(None),
        Some(s) => Uuid::parse_str(s).map(Some).map_err(D::Error::custom),
    }
}

/// A time as both engines write it here (RFC 3339: sqlx stores SQLite's that way, PostgreSQL's JSON
/// prints it so), in UTC.
fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let Some(s) = Option::<&str>::deserialize(d)? else { return Ok(None) };
    OffsetDateTime::parse(s, &Rfc3339).map(|t| Some(t.to_offset(time::UtcOffset::UTC))).map_err(D::Error::custom)
}

fn time<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
    opt_time(d)?.ok_or_else(|| D::Error::custom("a required time is missing"))
}

/// A boolean as `true`/`false` (PostgreSQL) or `1`/`0` (SQLite).
fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean or 0/1")
        }
        fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<bool, E> {
            Ok(b)
        }
        fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<bool, E> {
            Ok(i != 0)
        }
        fn visit_u64<E: serde::de::Error>(self, i: u64) -> Result<bool, E> {
            Ok(i != 0)
        }
    }
    d.deserialize_any(V)
}

/// A float as its text (or as a number).
fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a float, its text or null")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<f64>, E> {
            Ok(None)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Option<f64>, E> {
            s.parse().map(Some).map_err(E::custom)
        }
        fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Option<f64>, E> {
            Ok(Some(f))
        }
        fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<Option<f64>, E> {
            Ok(Some(i as f64))
        }
        fn visit_u64<E: serde::de::Error>(self, i: u64) -> Result<Option<f64>, E> {
            Ok(Some(i as f64))
        }
    }
    d.deserialize_any(V)
}

/// A [`CreatorRow`] in the order of `COLUMN_NAMES`, then `stage_entered_at`.
#[derive(Deserialize)]
struct RowJson {
    id: Id,
    workspace_id: Id,
    display_name: String,
    legal_name: Option<String>,
    pronouns: Option<String>,
    country: Option<String>,
    city: Option<String>,
    languages: String,
    timezone: Option<String>,
    bio: Option<String>,
    niches: String,
    tone_notes: Option<String>,
    #[serde(deserialize_with = "opt_uuid")]
    owner_id: Option<Uuid>,
    stage: String,
    #[serde(deserialize_with = "boolean")]
    do_not_contact: bool,
    source: Option<String>,
    custom_fields: String,
    max_followers: i64,
    sort_name: String,
    created_by: String,
    #[serde(deserialize_with = "time")]
    created_at: OffsetDateTime,
    #[serde(deserialize_with = "time")]
    updated_at: OffsetDateTime,
    #[serde(deserialize_with = "opt_time")]
    deleted_at: Option<OffsetDateTime>,
    touch_every_days: Option<i64>,
    #[serde(deserialize_with = "opt_time")]
    stage_entered_at: Option<OffsetDateTime>,
}

impl RowJson {
    fn into_row(self) -> CreatorRow {
        CreatorRow {
            id: self.id.0,
            workspace_id: self.workspace_id.0,
            display_name: self.display_name,
            legal_name: self.legal_name,
            pronouns: self.pronouns,
            country: self.country,
            city: self.city,
            languages: self.languages,
            timezone: self.timezone,
            bio: self.bio,
            niches: self.niches,
            tone_notes: self.tone_notes,
            owner_id: self.owner_id,
            stage: self.stage,
            do_not_contact: self.do_not_contact,
            source: self.source,
            custom_fields: self.custom_fields,
            max_followers: self.max_followers,
            sort_name: self.sort_name,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
            deleted_at: self.deleted_at,
            touch_every_days: self.touch_every_days,
            stage_entered_at: self.stage_entered_at,
        }
    }
}

/// A contact point: kind, value, normalized value, whether primary.
#[derive(Deserialize)]
struct ContactJson(String, String, String, #[serde(deserialize_with = "boolean")] bool);

/// An account in the order of [`ACCOUNT_COLUMNS`].
#[derive(Deserialize)]
struct AccountJson {
    id: Id,
    platform: String,
    handle: String,
    handle_normalized: String,
    url: Option<String>,
    platform_user_id: Option<String>,
    followers: Option<i64>,
    average_views: Option<i64>,
    #[serde(deserialize_with = "opt_float")]
    engagement_rate_pct: Option<f64>,
    audience: String,
    #[serde(deserialize_with = "opt_float")]
    audience_quality_pct: Option<f64>,
    source: String,
    #[serde(deserialize_with = "time")]
    observed_at: OffsetDateTime,
    #[serde(deserialize_with = "time")]
    created_at: OffsetDateTime,
    #[serde(deserialize_with = "time")]
    updated_at: OffsetDateTime,
}

impl AccountJson {
    fn into_row(self, creator_id: Uuid) -> AccountRow {
        AccountRow {
            id: self.id.0,
            creator_id,
            platform: self.platform,
            handle: self.handle,
            handle_normalized: self.handle_normalized,
            url: self.url,
            platform_user_id: self.platform_user_id,
            followers: self.followers,
            average_views: self.average_views,
            engagement_rate_pct: self.engagement_rate_pct,
            audience: self.audience.into(),
            audience_quality_pct: self.audience_quality_pct,
            source: self.source,
            observed_at: self.observed_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
