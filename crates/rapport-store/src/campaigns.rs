//! Campaigns and their team members (`campaigns`, `campaign_members`). Lists are JSON text;
//! a deleted campaign keeps its row (`deleted_at`) until restored.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use crate::sql::Filter;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: Uuid,
    pub name: String,
    pub objective: Option<String>,
    pub status: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub budget_minor: Option<i64>,
    pub currency: String,
    pub disclosure_profile: String,
    /// JSON array of text.
    pub required_hashtags: String,
    /// JSON array of text.
    pub required_mentions: String,
    /// JSON array of text.
    pub tags: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, name, objective, status, starts_on, ends_on, budget_minor, currency, disclosure_profile, \
                       required_hashtags, required_mentions, tags, created_by, created_at, updated_at, deleted_at";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &CampaignRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO campaigns (id, workspace_id, name, objective, status, starts_on, ends_on, budget_minor, currency, \
         disclosure_profile, required_hashtags, required_mentions, tags, created_by, created_at, updated_at, deleted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        args![
            r.id,
            workspace_id,
            r.name.clone(),
            r.objective.clone(),
            r.status.clone(),
            r.starts_on,
            r.ends_on,
            r.budget_minor,
            r.currency.clone(),
            r.disclosure_profile.clone(),
            r.required_hashtags.clone(),
            r.required_mentions.clone(),
            r.tags.clone(),
            r.created_by.clone(),
            r.created_at,
            r.updated_at,
            r.deleted_at
        ],
    )
    .await?;
    Ok(())
}

/// Writes the editable columns, the status and the deletion mark.
pub async fn update(c: &mut Conn<'_>, workspace_id: Uuid, r: &CampaignRow) -> StoreResult<u64> {
    c.execute(
        "UPDATE campaigns SET name = $3, objective = $4, status = $5, starts_on = $6, ends_on = $7, budget_minor = $8, \
         currency = $9, disclosure_profile = $10, required_hashtags = $11, required_mentions = $12, tags = $13, \
         updated_at = $14, deleted_at = $15 WHERE workspace_id = $1 AND id = $2",
        args![
            workspace_id,
            r.id,
            r.name.clone(),
            r.objective.clone(),
            r.status.clone(),
            r.starts_on,
            r.ends_on,
            r.budget_minor,
            r.currency.clone(),
            r.disclosure_profile.clone(),
            r.required_hashtags.clone(),
            r.required_mentions.clone(),
            r.tags.clone(),
            r.updated_at,
            r.deleted_at
        ],
    )
    .await
}

/// A campaign of the workspace, deleted or not.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<CampaignRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM campaigns WHERE workspace_id = $1 AND id = $2"),
        args![workspace_id, id],
    )
    .await
}

/// Which campaigns a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    /// Deleted campaigns instead of live ones.
    pub deleted: bool,
}

/// Campaigns, newest first.
pub async fn list(c: &mut Conn<'_>, workspace_id: Uuid, filter: &ListFilter) -> StoreResult<Vec<CampaignRow>> {
    let mut f = Filter::with_args(args![workspace_id]);
    if filter.deleted {
        f.and("deleted_at IS NOT NULL", vec![]);
    } else {
        f.and("deleted_at IS NULL", vec![]);
    }
    if let Some(s) = &filter.status {
        f.and("status = ?", args![s.clone()]);
    }
    let clauses = f.and_clauses();
    let (sql, a) = f.finish(format!(
        "SELECT {COLUMNS} FROM campaigns WHERE workspace_id = $1{clauses} ORDER BY created_at DESC, id DESC"
    ));
    c.fetch_all(sql, a).await
}

/// The team of each campaign: `(campaign, user)` pairs.
pub async fn members(c: &mut Conn<'_>, workspace_id: Uuid, campaigns: &[Uuid]) -> StoreResult<Vec<(Uuid, Uuid)>> {
    if campaigns.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::with_args(args![workspace_id]);
    let list = f.uuid_list(campaigns);
    let (sql, a) = f.finish(format!(
        "SELECT campaign_id, user_id FROM campaign_members WHERE workspace_id = $1 AND campaign_id IN ({list})"
    ));
    c.fetch_all(sql, a).await
}

/// Replaces a campaign's team.
pub async fn set_members(c: &mut Conn<'_>, workspace_id: Uuid, campaign: Uuid, users: &[Uuid]) -> StoreResult<()> {
    c.execute(
        "DELETE FROM campaign_members WHERE workspace_id = $1 AND campaign_id = $2",
        args![workspace_id, campaign],
    )
    .await?;
    for u in users {
        c.execute(
            "INSERT INTO campaign_members (workspace_id, campaign_id, user_id) VALUES ($1, $2, $3)",
            args![workspace_id, campaign, *u],
        )
        .await?;
    }
    Ok(())
}
