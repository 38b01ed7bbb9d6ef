//! What a page of creators shows beside each creator — its contact points, tags and social
//! accounts — read in one statement. Every read is a round trip to the database (on SQLite,
//! to a connection's worker thread and back), and these were two per page.

use super::ContactRow;
use crate::accounts::AccountRow;
use crate::args;
use crate::db::Conn;
use crate::error::{StoreError, StoreResult};
use crate::sql::Filter;
use time::OffsetDateTime;
use uuid::Uuid;

/// The contact points, tags and accounts of some creators, each in the order its own
/// listing gives: contact points primary first, then by kind and value; tags by name;
/// accounts largest following first, then by platform.
#[derive(Debug, Default)]
pub struct Relations {
    pub contacts: Vec<ContactRow>,
    pub tags: Vec<(Uuid, String)>,
    pub accounts: Vec<AccountRow>,
}

/// The account columns' place in a contact point's or a tag's row. PostgreSQL settles each
/// column of a `UNION` from its branches' types, so every `NULL` says its type (SQLite
/// accepts the same casts).
const NO_ACCOUNT: &str = "CAST(NULL AS UUID) AS id, CAST(NULL AS TEXT) AS platform, CAST(NULL AS TEXT) AS handle, \
    CAST(NULL AS TEXT) AS handle_normalized, CAST(NULL AS TEXT) AS url, CAST(NULL AS TEXT) AS platform_user_id, \
    CAST(NULL AS BIGINT) AS followers, CAST(NULL AS BIGINT) AS average_views, \
    CAST(NULL AS DOUBLE PRECISION) AS engagement_rate_pct, CAST(NULL AS TEXT) AS audience, \
    CAST(NULL AS DOUBLE PRECISION) AS audience_quality_pct, CAST(NULL AS TEXT) AS source, \
    CAST(NULL AS TIMESTAMPTZ) AS observed_at, CAST(NULL AS TIMESTAMPTZ) AS created_at, \
    CAST(NULL AS TIMESTAMPTZ) AS updated_at";

/// The contact points, tags and accounts of these creators of the workspace (contact points
/// and tags are found by creator alone, as their own listings find them).
pub async fn relations(c: &mut Conn<'_>, workspace_id: Uuid, creator_ids: &[Uuid]) -> StoreResult<Relations> {
    if creator_ids.is_empty() {
        return Ok(Relations::default());
    }
    let mut f = Filter::with_args(args![workspace_id]);
    let list = f.uuid_list(creator_ids);
    // `part` 0 rows are contact points, 1 tags (the tag in `value`), 2 accounts; the order
    // sorts each part as its own listing would (the columns of the other parts are NULL).
    let (sql, a) = f.finish(format!(
        "SELECT * FROM (\
         SELECT 0 AS part, creator_id, kind, value, normalized, is_primary, {NO_ACCOUNT} \
         FROM contact_points WHERE creator_id IN ({list}) \
         UNION ALL SELECT 1 AS part, creator_id, '' AS kind, tag AS value, tag AS normalized, FALSE AS is_primary, \
         {NO_ACCOUNT} FROM creator_tags WHERE creator_id IN ({list}) \
         UNION ALL SELECT 2 AS part, creator_id, CAST(NULL AS TEXT) AS kind, CAST(NULL AS TEXT) AS value, \
         CAST(NULL AS TEXT) AS normalized, CAST(NULL AS BOOLEAN) AS is_primary, id, platform, handle, \
         handle_normalized, url, platform_user_id, followers, average_views, engagement_rate_pct, audience, \
         audience_quality_pct, source, observed_at, created_at, updated_at \
         FROM social_accounts WHERE workspace_id = $1 AND creator_id IN ({list})) x \
         ORDER BY creator_id, part, is_primary DESC, kind, value, followers DESC NULLS LAST, platform, id"
    ));
    let rows: Vec<RelationRow> = c.fetch_all(sql, a).await?;
    let mut out = Relations::default();
    for r in rows {
        match r.part {
            0 => out.contacts.push(ContactRow {
                creator_id: r.creator_id,
                kind: required(r.kind, "kind")?,
                value: required(r.value, "value")?,
                normalized: required(r.normalized, "normalized")?,
                is_primary: r.is_primary.unwrap_or(false),
            }),
            1 => out.tags.push((r.creator_id, required(r.value, "value")?)),
            _ => out.accounts.push(AccountRow {
                id: required(r.id, "id")?,
                creator_id: r.creator_id,
                platform: required(r.platform, "platform")?,
                handle: required(r.handle, "handle")?,
                handle_normalized: required(r.handle_normalized, "handle_normalized")?,
                url: r.url,
                platform_user_id: r.platform_user_id,
                followers: r.followers,
                average_views: r.average_views,
                engagement_rate_pct: r.engagement_rate_pct,
                audience: required(r.audience, "audience")?,
                audience_quality_pct: r.audience_quality_pct,
                source: required(r.source, "source")?,
                observed_at: required(r.observed_at, "observed_at")?,
                created_at: required(r.created_at, "created_at")?,
                updated_at: required(r.updated_at, "updated_at")?,
            }),
        }
    }
    Ok(out)
}

/// A column its part always fills (the table's column is `NOT NULL`).
fn required<T>(v: Option<T>, column: &'static str) -> StoreResult<T> {
    v.ok_or_else(|| StoreError::Corrupt(format!("a creator's relation came back without its {column}")))
}

#[derive(sqlx::FromRow)]
struct RelationRow {
    part: i32,
    creator_id: Uuid,
    kind: Option<String>,
    value: Option<String>,
    normalized: Option<String>,
    is_primary: Option<bool>,
    id: Option<Uuid>,
    platform: Option<String>,
    handle: Option<String>,
    handle_normalized: Option<String>,
    url: Option<String>,
    platform_user_id: Option<String>,
    followers: Option<i64>,
    average_views: Option<i64>,
    engagement_rate_pct: Option<f64>,
    audience: Option<String>,
    audience_quality_pct: Option<f64>,
    source: Option<String>,
    observed_at: Option<OffsetDateTime>,
    created_at: Option<OffsetDateTime>,
    updated_at: Option<OffsetDateTime>,
}
