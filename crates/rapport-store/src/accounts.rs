//! Social accounts of creators and their metric snapshots over time.

use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::sql::Filter;
use rapport_core::creators::{AccountDraft, AudienceInput};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AccountRow {
    pub id: Uuid,
    pub creator_id: Uuid,
    pub platform: String,
    pub handle: String,
    pub handle_normalized: String,
    pub url: Option<String>,
    pub platform_user_id: Option<String>,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    #[sqlx(try_from = "String")]
    pub audience: Audience,
    pub audience_quality_pct: Option<f64>,
    pub source: String,
    pub observed_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An account's audience breakdown, kept as JSON text in the database and read from it once,
/// when the row is read: rows kept in memory (the creator cache) are shown again and again
/// without reading it anew. Text that does not read as a breakdown is an empty one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audience(pub Arc<AudienceInput>);

impl From<String> for Audience {
    fn from(text: String) -> Self {
        Audience(Arc::new(serde_json::from_str(&text).unwrap_or_default()))
    }
}

const COLUMNS: &str = "id, creator_id, platform, handle, handle_normalized, url, platform_user_id, \
    followers, average_views, engagement_rate_pct, audience, audience_quality_pct, source, observed_at, \
    created_at, updated_at";

fn draft_args(d: &AccountDraft) -> StoreResult<Vec<Arg>> {
    Ok(args![
        d.platform.slug(),
        d.handle.display.clone(),
        d.handle.normalized.clone(),
        d.url.clone(),
        d.platform_user_id.clone(),
        d.followers,
        d.average_views,
        d.engagement_rate_pct,
        serde_json::to_string(&d.audience)?,
        d.audience_quality_pct,
        d.source.clone(),
        d.observed_at,
    ])
}

pub async fn insert(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Uuid,
    id: Uuid,
    d: &AccountDraft,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let mut a = args![id, workspace_id, creator_id];
    a.extend(draft_args(d)?);
    a.push(Arg::Time(now));
    c.execute(
        "INSERT INTO social_accounts (id, workspace_id, creator_id, platform, handle, handle_normalized, url, \
         platform_user_id, followers, average_views, engagement_rate_pct, audience, audience_quality_pct, \
         source, observed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
        a,
    )
    .await?;
    insert_snapshot(c, workspace_id, id, d, now).await
}

/// Inserts many accounts — `(creator_id, account_id, draft)` — each with its first
/// snapshot, in a few multi-row statements.
pub async fn insert_many(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    accounts: &[(Uuid, Uuid, &AccountDraft)],
    now: OffsetDateTime,
) -> StoreResult<()> {
    let mut rows = Vec::with_capacity(accounts.len());
    for (creator_id, id, d) in accounts {
        let mut a = args![*id, workspace_id, *creator_id];
        a.extend(draft_args(d)?);
        a.extend(args![now, now]);
        rows.push(a);
    }
    crate::bulk::insert(
        c,
        "INSERT INTO social_accounts (id, workspace_id, creator_id, platform, handle, handle_normalized, url, \
         platform_user_id, followers, average_views, engagement_rate_pct, audience, audience_quality_pct, \
         source, observed_at, created_at, updated_at)",
        17,
        "",
        rows,
    )
    .await?;
    let firsts: Vec<(Uuid, &AccountDraft)> = accounts.iter().map(|(_, id, d)| (*id, *d)).collect();
    insert_snapshots(c, workspace_id, &firsts, now).await
}

/// Replaces an account's fields; a snapshot is kept when metrics were observed anew.
pub async fn update(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    d: &AccountDraft,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let mut a = args![id, workspace_id];
    a.extend(draft_args(d)?);
    a.push(Arg::Time(now));
    c.execute(
        "UPDATE social_accounts SET platform = $3, handle = $4, handle_normalized = $5, url = $6, \
         platform_user_id = $7, followers = $8, average_views = $9, engagement_rate_pct = $10, audience = $11, \
         audience_quality_pct = $12, source = $13, observed_at = $14, updated_at = $15 \
         WHERE id = $1 AND workspace_id = $2",
        a,
    )
    .await?;
    Ok(())
}

pub async fn insert_snapshot(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    account_id: Uuid,
    d: &AccountDraft,
    now: OffsetDateTime,
) -> StoreResult<()> {
    insert_snapshots(c, workspace_id, &[(account_id, d)], now).await
}

/// Keeps a metric snapshot of many accounts — `(account_id, draft)` — at once.
pub async fn insert_snapshots(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    accounts: &[(Uuid, &AccountDraft)],
    now: OffsetDateTime,
) -> StoreResult<()> {
    let rows = accounts.iter().map(|(id, d)| snapshot_args(workspace_id, *id, d, now)).collect();
    crate::bulk::insert(c, SNAPSHOT_INSERT, 9, "", rows).await?;
    Ok(())
}

const SNAPSHOT_INSERT: &str = "INSERT INTO account_snapshots (id, workspace_id, account_id, followers, average_views, \
    engagement_rate_pct, source, observed_at, created_at)";

fn snapshot_args(workspace_id: Uuid, account_id: Uuid, d: &AccountDraft, now: OffsetDateTime) -> Vec<Arg> {
    args![
        Uuid::now_v7(),
        workspace_id,
        account_id,
        d.followers,
        d.average_views,
        d.engagement_rate_pct,
        d.source.clone(),
        d.observed_at,
        now
    ]
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<AccountRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM social_accounts WHERE workspace_id = $1 AND id = $2"),
        args![workspace_id, id],
    )
    .await
}

pub async fn delete(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM social_accounts WHERE workspace_id = $1 AND id = $2", args![workspace_id, id]).await
}

/// The creator that already has this platform + handle.
pub async fn holder_of_handle(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    platform: &str,
    handle_normalized: &str,
) -> StoreResult<Option<(Uuid, crate::creators::Holder)>> {
    let keys = [(platform.to_owned(), handle_normalized.to_owned())];
    Ok(holders_of_handles(c, workspace_id, &keys).await?.into_iter().next().map(|r| {
        (r.account_id, crate::creators::Holder { id: r.id, display_name: r.display_name, deleted_at: r.deleted_at })
    }))
}

/// An account's holder, from [`holders_of_handles`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandleHolder {
    pub platform: String,
    pub handle_normalized: String,
    pub account_id: Uuid,
    pub id: Uuid,
    pub display_name: String,
    pub deleted_at: Option<OffsetDateTime>,
}

/// The creators (deleted or not) holding any of the accounts `keys` — `(platform,
/// normalized handle)` pairs — in a few statements.
pub async fn holders_of_handles(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    keys: &[(String, String)],
) -> StoreResult<Vec<HandleHolder>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(crate::bulk::LOOKUP_CHUNK) {
        let mut platforms: Vec<&str> = chunk.iter().map(|k| k.0.as_str()).collect();
        platforms.sort_unstable();
        platforms.dedup();
        let mut f = Filter::with_args(args![workspace_id]);
        let platforms: Vec<String> = platforms.into_iter().map(|p| f.param(Arg::from(p))).collect();
        let handles: Vec<String> = chunk.iter().map(|k| f.param(Arg::from(k.1.as_str()))).collect();
        let (sql, a) = f.finish(format!(
            "SELECT s.platform, s.handle_normalized, s.id AS account_id, c.id, c.display_name, c.deleted_at \
             FROM social_accounts s JOIN creators c ON c.id = s.creator_id \
             WHERE s.workspace_id = $1 AND s.platform IN ({}) AND s.handle_normalized IN ({})",
            platforms.join(", "),
            handles.join(", ")
        ));
        let rows: Vec<HandleHolder> = c.fetch_all(sql, a).await?;
        // The query matched each column on its own; keep the rows of the pairs asked for.
        let wanted: std::collections::HashSet<(&str, &str)> =
            chunk.iter().map(|k| (k.0.as_str(), k.1.as_str())).collect();
        out.extend(rows.into_iter().filter(|r| wanted.contains(&(r.platform.as_str(), r.handle_normalized.as_str()))));
    }
    Ok(out)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SnapshotRow {
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub source: String,
    pub observed_at: OffsetDateTime,
}

/// An account's snapshots, oldest first.
pub async fn snapshots(c: &mut Conn<'_>, workspace_id: Uuid, account_id: Uuid) -> StoreResult<Vec<SnapshotRow>> {
    c.fetch_all(
        "SELECT followers, average_views, engagement_rate_pct, source, observed_at FROM account_snapshots \
         WHERE workspace_id = $1 AND account_id = $2 ORDER BY observed_at, id",
        args![workspace_id, account_id],
    )
    .await
}

/// The engagement rates of live creators' accounts on one platform within a follower range
/// `[min, max)`, each distinct rate with how many accounts have it (for medians: a band of a
/// million-creator workspace holds hundreds of thousands of accounts and a few thousand rates).
pub async fn engagement_rate_counts(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    platform: &str,
    min_followers: i64,
    max_followers: Option<i64>,
) -> StoreResult<Vec<(f64, i64)>> {
    c.fetch_all(
        "SELECT s.engagement_rate_pct, COUNT(*) FROM social_accounts s JOIN creators c ON c.id = s.creator_id \
         WHERE s.workspace_id = $1 AND s.platform = $2 AND s.engagement_rate_pct IS NOT NULL \
         AND s.followers >= $3 AND ($4 IS NULL OR s.followers < $4) AND c.deleted_at IS NULL \
         GROUP BY s.engagement_rate_pct",
        args![workspace_id, platform, min_followers, max_followers],
    )
    .await
}

/// `(platform, followers, engagement %)` of every live creator's account with both
/// figures, for per-platform-and-tier medians.
pub async fn engagement_samples(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<(String, i64, f64)>> {
    c.fetch_all(
        "SELECT s.platform, s.followers, s.engagement_rate_pct FROM social_accounts s JOIN creators c ON c.id = s.creator_id \
         WHERE s.workspace_id = $1 AND s.followers IS NOT NULL AND s.engagement_rate_pct IS NOT NULL AND c.deleted_at IS NULL",
        args![workspace_id],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audience_is_read_from_its_text_once_and_unreadable_text_is_an_empty_one() {
        let read = Audience::from(r#"{"countries":{"DE":61.5},"genders":{"female":80}}"#.to_owned());
        assert_eq!(read.0.countries.get("DE"), Some(&61.5));
        assert_eq!(read.0.genders.get("female"), Some(&80.0));
        assert_eq!(Audience::from("{}".to_owned()), Audience::default());
        assert_eq!(Audience::from("not json".to_owned()), Audience::default());
    }
}
