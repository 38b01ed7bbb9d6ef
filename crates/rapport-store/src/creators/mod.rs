//! Creators, their tags and contact points; the list query with filters, sorting and
//! keyset (cursor) pagination; soft delete and restore.

use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::sql::{Filter, like_escape};
use rapport_core::creators::CreatorDraft;
use time::OffsetDateTime;
use uuid::Uuid;

mod many;
mod relations;
pub use many::*;
pub use relations::*;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CreatorRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub display_name: String,
    pub legal_name: Option<String>,
    pub pronouns: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: String,
    pub timezone: Option<String>,
    pub bio: Option<String>,
    pub niches: String,
    pub tone_notes: Option<String>,
    pub owner_id: Option<Uuid>,
    pub stage: String,
    pub do_not_contact: bool,
    pub source: Option<String>,
    pub custom_fields: String,
    pub max_followers: i64,
    pub sort_name: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
    pub touch_every_days: Option<i64>,
    /// When the creator entered its current stage: its newest stage change, read with the row
    /// (every read of a creator row adds [`STAGE_ENTERED`]).
    pub stage_entered_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "c.id, c.workspace_id, c.display_name, c.legal_name, c.pronouns, c.country, \
    c.city, c.languages, c.timezone, c.bio, c.niches, c.tone_notes, c.owner_id, c.stage, \
    c.do_not_contact, c.source, c.custom_fields, c.max_followers, c.sort_name, c.created_by, \
    c.created_at, c.updated_at, c.deleted_at, c.touch_every_days";

/// The columns of [`COLUMNS`] by name, in its order.
const COLUMN_NAMES: [&str; 24] = [
    "id", "workspace_id", "display_name", "legal_name", "pronouns", "country", "city", "languages", "timezone", "bio",
    "niches", "tone_notes", "owner_id", "stage", "do_not_contact", "source", "custom_fields", "max_followers",
    "sort_name", "created_by", "created_at", "updated_at", "deleted_at", "touch_every_days",
];

macro_rules! stage_entered {
    () => {
        "(SELECT MAX(s.changed_at) FROM stage_changes s \
         WHERE s.workspace_id = c.workspace_id AND s.creator_id = c.id)"
    };
}

/// The `stage_entered_at` column of a [`CreatorRow`], for a row (or derived table) named `c`:
/// one probe of the stage history's (workspace, creator, time) index, read in the row's own
/// statement rather than in one more for the page.
const STAGE_ENTERED: &str = concat!(stage_entered!(), " AS stage_entered_at");

/// [`STAGE_ENTERED`]'s value alone.
const STAGE_ENTERED_VALUE: &str = stage_entered!();

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ContactRow {
    pub creator_id: Uuid,
    pub kind: String,
    pub value: String,
    pub normalized: String,
    pub is_primary: bool,
}

fn draft_args(d: &CreatorDraft) -> StoreResult<Vec<Arg>> {
    Ok(args![
        d.display_name.clone(),
        rapport_core::creators::sort_name(&d.display_name),
        d.legal_name.clone(),
        d.pronouns.clone(),
        d.country.clone(),
        d.city.clone(),
        serde_json::to_string(&d.languages)?,
        d.timezone.clone(),
        d.bio.clone(),
        serde_json::to_string(&d.niches)?,
        d.tone_notes.clone(),
        d.owner_id.map(|o| o.0),
        d.stage.clone(),
        d.do_not_contact,
        d.source.clone(),
        serde_json::to_string(&d.custom_fields)?,
        d.touch_every_days,
    ])
}

/// Inserts a creator with its tags and contact points.
pub async fn insert(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    d: &CreatorDraft,
    created_by: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let mut a = args![id, workspace_id];
    a.extend(draft_args(d)?);
    a.extend(args![created_by, now]);
    c.execute(
        "INSERT INTO creators (id, workspace_id, display_name, sort_name, legal_name, pronouns, country, \
         city, languages, timezone, bio, niches, tone_notes, owner_id, stage, do_not_contact, source, \
         custom_fields, touch_every_days, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)",
        a,
    )
    .await?;
    write_children(c, workspace_id, &[(id, d)], now, false).await
}

/// Replaces every editable field, the tags and the contact points.
pub async fn update(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    d: &CreatorDraft,
    now: OffsetDateTime,
) -> StoreResult<()> {
    update_many(c, workspace_id, &[(id, d)], now).await
}

/// A creator of the workspace, deleted or not.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<CreatorRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS}, {STAGE_ENTERED} FROM creators c WHERE c.workspace_id = $1 AND c.id = $2"),
        args![workspace_id, id],
    )
    .await
}

/// Contact points of several creators (for list pages), primary first.
pub async fn contact_points(c: &mut Conn<'_>, creator_ids: &[Uuid]) -> StoreResult<Vec<ContactRow>> {
    if creator_ids.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::default();
    let list = f.uuid_list(creator_ids);
    let (sql, a) = f.finish(format!(
        "SELECT creator_id, kind, value, normalized, is_primary FROM contact_points \
         WHERE creator_id IN ({list}) ORDER BY creator_id, is_primary DESC, kind, value"
    ));
    c.fetch_all(sql, a).await
}

/// Tags of several creators as `(creator_id, tag)`, alphabetically.
pub async fn tags(c: &mut Conn<'_>, creator_ids: &[Uuid]) -> StoreResult<Vec<(Uuid, String)>> {
    if creator_ids.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::default();
    let list = f.uuid_list(creator_ids);
    let (sql, a) = f.finish(format!(
        "SELECT creator_id, tag FROM creator_tags WHERE creator_id IN ({list}) ORDER BY creator_id, tag"
    ));
    c.fetch_all(sql, a).await
}

/// The workspace's tags with the number of (non-deleted) creators carrying each.
pub async fn tag_counts(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<(String, i64)>> {
    c.fetch_all(
        "SELECT t.tag, COUNT(*) FROM creator_tags t JOIN creators c ON c.id = t.creator_id \
         WHERE t.workspace_id = $1 AND c.deleted_at IS NULL GROUP BY t.tag ORDER BY t.tag",
        args![workspace_id],
    )
    .await
}

/// The names of the custom fields the workspace's creators (deleted ones too) have, sorted.
pub async fn custom_field_keys(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<String>> {
    let sql = match c.backend() {
        crate::Backend::Sqlite => {
            "SELECT DISTINCT j.key FROM creators c, json_each(c.custom_fields) j \
             WHERE c.workspace_id = $1 AND c.custom_fields <> '{}' ORDER BY 1"
        }
        crate::Backend::Postgres => {
            "SELECT DISTINCT k FROM creators c, jsonb_object_keys(c.custom_fields::jsonb) k \
             WHERE c.workspace_id = $1 AND c.custom_fields <> '{}' ORDER BY 1"
        }
    };
    let rows: Vec<(String,)> = c.fetch_all(sql, args![workspace_id]).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn set_deleted(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    deleted_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    crate::changes::record(c, workspace_id, id).await?;
    c.execute(
        "UPDATE creators SET deleted_at = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        args![workspace_id, id, deleted_at, now],
    )
    .await
}

/// Bumps `updated_at` after a change to a related record (account, note).
pub async fn touch(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    crate::changes::record(c, workspace_id, id).await?;
    c.execute("UPDATE creators SET updated_at = $3 WHERE workspace_id = $1 AND id = $2", args![workspace_id, id, now])
        .await
}

/// How many creators are in each stage: `(stage, live, all)` — deleted creators are in
/// `all`, since restoring one brings it back to its stage.
pub async fn stage_counts(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<(String, i64, i64)>> {
    c.fetch_all(
        "SELECT stage, SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END), COUNT(*) FROM creators \
         WHERE workspace_id = $1 GROUP BY stage ORDER BY stage",
        args![workspace_id],
    )
    .await
}

/// A creator already holding a key, for duplicate errors that name it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Holder {
    pub id: Uuid,
    pub display_name: String,
    pub deleted_at: Option<OffsetDateTime>,
}

pub async fn holder_of_contact(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    kind: &str,
    normalized: &str,
) -> StoreResult<Option<Holder>> {
    let keys = [(kind.to_owned(), normalized.to_owned())];
    Ok(holders_of_contacts(c, workspace_id, &keys).await?.into_iter().next().map(|r| Holder {
        id: r.id,
        display_name: r.display_name,
        deleted_at: r.deleted_at,
    }))
}

/// The bit of a platform in `creators.platform_mask` (the triggers of migration 0020 set
/// the same bits), or `None` for a name that is not a platform.
pub fn platform_bit(slug: &str) -> Option<i64> {
    let position = [
        "instagram", "tiktok", "youtube", "twitch", "x", "facebook", "threads", "pinterest", "snapchat", "linkedin",
        "blog", "podcast", "newsletter",
    ]
    .iter()
    .position(|p| *p == slug)?;
    Some(1 << position)
}

/// The mask with the bits of these platforms (names that are not platforms add none).
fn platform_mask(platforms: &[String]) -> i64 {
    platforms.iter().filter_map(|p| platform_bit(p)).fold(0, |m, b| m | b)
}

/// Sort keys of the creator list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Updated,
    Created,
    Name,
    Followers,
}

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum CursorKey {
    Time(OffsetDateTime),
    Text(String),
    Int(i64),
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub stage: Option<String>,
    pub tags: Vec<String>,
    /// Has an account on any of these platforms.
    pub platforms: Vec<String>,
    /// Any of these countries.
    pub countries: Vec<String>,
    pub owner_id: Option<Uuid>,
    pub unowned: bool,
    pub min_followers: Option<i64>,
    pub max_followers: Option<i64>,
    /// Bounds on the engagement rate of the main account (the largest following); a creator
    /// without one never passes a bound.
    pub min_engagement_pct: Option<f64>,
    pub max_engagement_pct: Option<f64>,
    pub updated_since: Option<OffsetDateTime>,
    /// Only soft-deleted creators instead of live ones.
    pub deleted: bool,
    /// Also list creators marked do-not-contact (hidden by default).
    pub include_do_not_contact: bool,
    /// Only creators marked do-not-contact (wins over `include_do_not_contact`).
    pub only_do_not_contact: bool,
    /// Only members of this hand-picked shortlist.
    pub shortlist: Option<Uuid>,
    pub sort: Option<(SortKey, bool)>,
    pub after: Option<(CursorKey, Uuid)>,
    pub limit: i64,
    /// The filters match so much of the workspace that a page is found sooner by walking
    /// the sort's index and testing each creator than by reading every match through a
    /// country or followers index and sorting them all; the caller knows (from the search
    /// index's count) and SQLite's planner, which keeps no statistics, does not. Ignored
    /// when sorted by followers.
    pub broad: bool,
}

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::Updated => "c.updated_at",
            SortKey::Created => "c.created_at",
            SortKey::Name => "c.sort_name",
            SortKey::Followers => "c.max_followers",
        }
    }

    /// The cursor value of a row under this key.
    pub fn key_of(self, r: &CreatorRow) -> CursorKey {
        match self {
            SortKey::Updated => CursorKey::Time(r.updated_at),
            SortKey::Created => CursorKey::Time(r.created_at),
            SortKey::Name => CursorKey::Text(r.sort_name.clone()),
            SortKey::Followers => CursorKey::Int(r.max_followers),
        }
    }
}

/// The `WHERE` of a listing. `walk`: the listing is sorted by followers, so it walks the
/// (workspace, followers) index, whose entries carry the platforms, country and main
/// engagement, and tests them there. Otherwise platforms are an `EXISTS` over the accounts:
/// SQLite's planner (it has no statistics) then walks the sort's own index and stops after a
/// page, where an in-row platform test makes it take the country index and sort every
/// creator of a large country. A `broad` listing writes its country and follower bounds as
/// expressions no index serves, so the sort's index is walked whatever they are.
fn filters(workspace_id: Uuid, q: &ListQuery, walk: bool) -> Filter {
    let broad = q.broad && !walk;
    let mut f = Filter::with_args(args![workspace_id]);
    if q.deleted {
        f.and("c.deleted_at IS NOT NULL", vec![]);
    } else {
        f.and("c.deleted_at IS NULL", vec![]);
    }
    if q.only_do_not_contact {
        f.and("c.do_not_contact = TRUE", vec![]);
    } else if !q.include_do_not_contact {
        f.and("c.do_not_contact = FALSE", vec![]);
    }
    if let Some(text) = &q.q {
        for word in text.split_whitespace().take(8) {
            let pattern = format!("%{}%", like_escape(&word.to_lowercase()));
            f.and("c.search_text LIKE ? ESCAPE '\\'", args![pattern]);
        }
    }
    if let Some(list) = q.shortlist {
        f.and(
            "EXISTS (SELECT 1 FROM shortlist_members m WHERE m.creator_id = c.id AND m.shortlist_id = ?)",
            args![list],
        );
    }
    if let Some(stage) = &q.stage {
        f.and("c.stage = ?", args![stage.clone()]);
    }
    for tag in &q.tags {
        f.and("EXISTS (SELECT 1 FROM creator_tags t WHERE t.creator_id = c.id AND t.tag = ?)", args![tag.clone()]);
    }
    match q.platforms.as_slice() {
        [] => {}
        [one] if !walk => {
            f.and(
                "EXISTS (SELECT 1 FROM social_accounts s WHERE s.creator_id = c.id AND s.platform = ?)",
                args![one.clone()],
            );
        }
        many => {
            f.and("(c.platform_mask & ?) <> 0", args![platform_mask(many)]);
        }
    }
    match q.countries.as_slice() {
        [one] => {
            f.and(if broad { "(c.country || '') = ?" } else { "c.country = ?" }, args![one.clone()]);
        }
        many => {
            f.and_in(
                if broad { "(c.country || '')" } else { "c.country" },
                many.iter().map(|c| Arg::Text(c.clone())).collect(),
            );
        }
    }
    if let Some(owner) = q.owner_id {
        f.and("c.owner_id = ?", args![owner]);
    }
    if q.unowned {
        f.and("c.owner_id IS NULL", vec![]);
    }
    if let Some(min) = q.min_followers {
        f.and(if broad { "c.max_followers + 0 >= ?" } else { "c.max_followers >= ?" }, args![min]);
    }
    if let Some(max) = q.max_followers {
        f.and(if broad { "c.max_followers + 0 <= ?" } else { "c.max_followers <= ?" }, args![max]);
    }
    if let Some(min) = q.min_engagement_pct {
        f.and("c.main_engagement_pct >= ?", vec![Arg::OptF64(Some(min))]);
    }
    if let Some(max) = q.max_engagement_pct {
        f.and("c.main_engagement_pct <= ?", vec![Arg::OptF64(Some(max))]);
    }
    if let Some(since) = q.updated_since {
        f.and("c.updated_at >= ?", args![since]);
    }
    f
}

fn cursor_arg(k: &CursorKey) -> Arg {
    match k {
        CursorKey::Time(t) => Arg::Time(*t),
        CursorKey::Text(s) => Arg::Text(s.clone()),
        CursorKey::Int(i) => Arg::I64(*i),
    }
}

/// One page of creators: at most `limit + 1` rows, so the caller can tell whether more
/// follow. Ties on the sort key are broken by id, so paging is stable under inserts.
/// Creators without a known following (0 followers) come after every other one in both
/// directions of a sort by followers: ascending, the known followings are read first, then
/// the unknown ones (a cursor at 0 followers is among those).
pub async fn list(c: &mut Conn<'_>, workspace_id: Uuid, q: &ListQuery) -> StoreResult<Vec<CreatorRow>> {
    if q.sort != Some((SortKey::Followers, false)) {
        return list_in_order(c, workspace_id, q).await;
    }
    let among_unknown = matches!(q.after, Some((CursorKey::Int(f), _)) if f < 1);
    let mut rows = if among_unknown {
        Vec::new()
    } else {
        let known = ListQuery { min_followers: Some(q.min_followers.unwrap_or(1).max(1)), ..q.clone() };
        list_in_order(c, workspace_id, &known).await?
    };
    let wanted = q.limit + 1;
    if (rows.len() as i64) < wanted && q.min_followers.is_none_or(|min| min < 1) {
        let unknown = ListQuery {
            min_followers: None,
            max_followers: Some(0),
            after: q.after.clone().filter(|_| among_unknown),
            limit: wanted - rows.len() as i64 - 1,
            ..q.clone()
        };
        rows.extend(list_in_order(c, workspace_id, &unknown).await?);
    }
    Ok(rows)
}

/// [`list`] in the plain order of the sort key.
async fn list_in_order(c: &mut Conn<'_>, workspace_id: Uuid, q: &ListQuery) -> StoreResult<Vec<CreatorRow>> {
    let (key, desc) = q.sort.unwrap_or((SortKey::Updated, true));
    let mut f = filters(workspace_id, q, key == SortKey::Followers);
    if let Some((k, id)) = &q.after {
        let fragment = match (key, desc) {
            (SortKey::Updated, true) => "c.updated_at < ? OR (c.updated_at = ? AND c.id < ?)",
            (SortKey::Updated, false) => "c.updated_at > ? OR (c.updated_at = ? AND c.id > ?)",
            (SortKey::Created, true) => "c.created_at < ? OR (c.created_at = ? AND c.id < ?)",
            (SortKey::Created, false) => "c.created_at > ? OR (c.created_at = ? AND c.id > ?)",
            (SortKey::Name, true) => "c.sort_name < ? OR (c.sort_name = ? AND c.id < ?)",
            (SortKey::Name, false) => "c.sort_name > ? OR (c.sort_name = ? AND c.id > ?)",
            (SortKey::Followers, true) => "c.max_followers < ? OR (c.max_followers = ? AND c.id < ?)",
            (SortKey::Followers, false) => "c.max_followers > ? OR (c.max_followers = ? AND c.id > ?)",
        };
        f.and(fragment, vec![cursor_arg(k), cursor_arg(k), Arg::Uuid(*id)]);
    }
    let dir = if desc { "DESC" } else { "ASC" };
    let limit = crate::sql::limit(q.limit + 1);
    // The page is chosen first, and only its rows look up their stage time: a sort would
    // otherwise evaluate the lookup for every match it sorts.
    let sql = format!(
        "SELECT c.*, {STAGE_ENTERED} FROM (SELECT {COLUMNS} FROM creators c WHERE c.workspace_id = $1{} \
         ORDER BY {order} {limit}) c ORDER BY {order}",
        f.and_clauses(),
        order = format_args!("{} {dir}, c.id {dir}", key.column()),
    );
    let (sql, a) = f.finish(sql);
    c.fetch_all(sql, a).await
}

/// How many creators match the filters (ignoring the cursor).
pub async fn count(c: &mut Conn<'_>, workspace_id: Uuid, q: &ListQuery) -> StoreResult<i64> {
    let f = filters(workspace_id, q, false);
    let sql = format!("SELECT COUNT(*) FROM creators c WHERE c.workspace_id = $1{}", f.and_clauses());
    let (sql, a) = f.finish(sql);
    c.scalar_i64(sql, a).await
}

/// Creators by id within one workspace, in no particular order (the indexer loads what
/// changed; callers map by id).
pub async fn get_many(c: &mut Conn<'_>, workspace_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<CreatorRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::with_args(args![workspace_id]);
    let list = f.uuid_list(ids);
    let (sql, a) = f.finish(format!(
        "SELECT {COLUMNS}, {STAGE_ENTERED} FROM creators c WHERE c.workspace_id = $1 AND c.id IN ({list})"
    ));
    c.fetch_all(sql, a).await
}

/// A page of a workspace's creator ids (deleted too) after `after`, by id.
pub async fn ids_after(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = match after {
        Some(a) => {
            c.fetch_all(
                "SELECT id FROM creators WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                args![workspace_id, a, limit],
            )
            .await?
        }
        None => {
            c.fetch_all(
                "SELECT id FROM creators WHERE workspace_id = $1 ORDER BY id LIMIT $2",
                args![workspace_id, limit],
            )
            .await?
        }
    };
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_core::platform::Platform;

    #[test]
    fn every_platform_has_its_own_bit() {
        let bits: Vec<i64> = Platform::ALL.iter().map(|p| platform_bit(p.slug()).unwrap_or(0)).collect();
        assert!(bits.iter().all(|b| *b > 0), "{bits:?}");
        assert_eq!(bits.iter().fold(0, |m, b| m | b).count_ones() as usize, Platform::ALL.len());
        assert_eq!(platform_bit("myspace"), None);
    }

    #[test]
    fn the_column_names_are_the_columns_read() {
        let listed: Vec<String> = COLUMN_NAMES.iter().map(|c| format!("c.{c}")).collect();
        assert_eq!(COLUMNS.split(", ").collect::<Vec<_>>(), listed);
    }

    #[test]
    fn the_migration_sets_the_same_bits() {
        for sql in [
            include_str!("../../migrations/sqlite/0020_creator_account_summary.sql"),
            include_str!("../../migrations/postgres/0020_creator_account_summary.sql"),
        ] {
            let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            for p in Platform::ALL {
                let bit = platform_bit(p.slug()).unwrap_or(0);
                assert!(sql.contains(&format!("WHEN '{}' THEN {bit} ", p.slug())), "{}", p.slug());
            }
        }
    }
}
