//! Deliverables of collaborations (`deliverables`) and their status history
//! (`deliverable_status_changes`). Reads hide deliverables whose campaign or creator is
//! deleted, and carry the names a calendar or a list needs.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliverableRow {
    pub id: Uuid,
    pub collaboration_id: Uuid,
    pub campaign_id: Uuid,
    pub campaign_name: String,
    pub creator_id: Uuid,
    pub creator_name: String,
    /// The campaign's currency, which the fee is in.
    pub currency: String,
    pub platform: String,
    pub format: String,
    pub quantity: i64,
    pub draft_due_on: Option<Date>,
    pub publish_from: Option<Date>,
    pub publish_until: Option<Date>,
    pub fee_minor: Option<i64>,
    /// JSON array of text.
    pub hashtags: String,
    /// JSON array of text.
    pub mentions: String,
    pub link: Option<String>,
    pub code: Option<String>,
    pub disclosure_required: bool,
    pub status: String,
    pub published_url: Option<String>,
    pub published_at: Option<OffsetDateTime>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const SELECT: &str = "SELECT d.id, d.collaboration_id, l.campaign_id, p.name AS campaign_name, l.creator_id, \
                      c.display_name AS creator_name, p.currency, d.platform, d.format, d.quantity, d.draft_due_on, \
                      d.publish_from, d.publish_until, d.fee_minor, d.hashtags, d.mentions, d.link, d.code, \
                      d.disclosure_required, d.status, d.published_url, d.published_at, d.created_by, d.created_at, \
                      d.updated_at FROM deliverables d \
                      JOIN collaborations l ON l.id = d.collaboration_id AND l.workspace_id = d.workspace_id \
                      JOIN campaigns p ON p.id = l.campaign_id AND p.workspace_id = d.workspace_id \
                      JOIN creators c ON c.id = l.creator_id AND c.workspace_id = d.workspace_id";
const LIVE: &str = "p.deleted_at IS NULL AND c.deleted_at IS NULL";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &DeliverableRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO deliverables (id, workspace_id, collaboration_id, platform, format, quantity, draft_due_on, \
         publish_from, publish_until, fee_minor, hashtags, mentions, link, code, disclosure_required, status, \
         published_url, published_at, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        args![
            r.id,
            workspace_id,
            r.collaboration_id,
            r.platform.clone(),
            r.format.clone(),
            r.quantity,
            r.draft_due_on,
            r.publish_from,
            r.publish_until,
            r.fee_minor,
            r.hashtags.clone(),
            r.mentions.clone(),
            r.link.clone(),
            r.code.clone(),
            r.disclosure_required,
            r.status.clone(),
            r.published_url.clone(),
            r.published_at,
            r.created_by.clone(),
            r.created_at,
            r.updated_at
        ],
    )
    .await?;
    Ok(())
}

/// Writes the terms, status and publication.
pub async fn update(c: &mut Conn<'_>, workspace_id: Uuid, r: &DeliverableRow) -> StoreResult<u64> {
    c.execute(
        "UPDATE deliverables SET platform = $3, format = $4, quantity = $5, draft_due_on = $6, publish_from = $7, \
         publish_until = $8, fee_minor = $9, hashtags = $10, mentions = $11, link = $12, code = $13, \
         disclosure_required = $14, status = $15, published_url = $16, published_at = $17, updated_at = $18 \
         WHERE workspace_id = $1 AND id = $2",
        args![
            workspace_id,
            r.id,
            r.platform.clone(),
            r.format.clone(),
            r.quantity,
            r.draft_due_on,
            r.publish_from,
            r.publish_until,
            r.fee_minor,
            r.hashtags.clone(),
            r.mentions.clone(),
            r.link.clone(),
            r.code.clone(),
            r.disclosure_required,
            r.status.clone(),
            r.published_url.clone(),
            r.published_at,
            r.updated_at
        ],
    )
    .await
}

/// A deliverable whose campaign and creator are live.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<DeliverableRow>> {
    c.fetch_optional(format!("{SELECT} WHERE d.workspace_id = $1 AND d.id = $2 AND {LIVE}"), args![workspace_id, id])
        .await
}

/// A collaboration's deliverables in the order they were planned.
pub async fn list_for_collaboration(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    collaboration: Uuid,
) -> StoreResult<Vec<DeliverableRow>> {
    c.fetch_all(
        format!("{SELECT} WHERE d.workspace_id = $1 AND d.collaboration_id = $2 AND {LIVE} ORDER BY d.id"),
        args![workspace_id, collaboration],
    )
    .await
}

/// What a calendar shows: the deliverables of a workspace, optionally of one campaign or
/// one creator, that have a draft due date or a publish window.
pub async fn dated(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    campaign: Option<Uuid>,
    creator: Option<Uuid>,
) -> StoreResult<Vec<DeliverableRow>> {
    c.fetch_all(
        format!(
            "{SELECT} WHERE d.workspace_id = $1 AND {LIVE} AND ($2 IS NULL OR l.campaign_id = $2) \
             AND ($3 IS NULL OR l.creator_id = $3) \
             AND (d.draft_due_on IS NOT NULL OR d.publish_from IS NOT NULL OR d.publish_until IS NOT NULL) \
             ORDER BY COALESCE(d.draft_due_on, d.publish_from, d.publish_until), d.id"
        ),
        args![workspace_id, campaign, creator],
    )
    .await
}

/// Open deliverables waiting for a draft whose due date is before `today`, across all
/// workspaces (the overdue-draft reminder).
pub async fn overdue_drafts(c: &mut Conn<'_>, today: Date) -> StoreResult<Vec<(Uuid, DeliverableRow)>> {
    #[derive(sqlx::FromRow)]
    struct WithWs {
        workspace_id: Uuid,
        #[sqlx(flatten)]
        row: DeliverableRow,
    }
    let rows: Vec<WithWs> = c
        .fetch_all(
            format!(
                "{} WHERE {LIVE} AND d.status IN ('planned', 'changes_requested') AND d.draft_due_on < $1 \
                 ORDER BY d.id",
                SELECT.replacen("SELECT ", "SELECT d.workspace_id, ", 1)
            ),
            args![today],
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.workspace_id, r.row)).collect())
}

/// One change of a deliverable's status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusChangeRow {
    pub id: Uuid,
    pub deliverable_id: Uuid,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub actor_label: String,
    pub reason: Option<String>,
    pub changed_at: OffsetDateTime,
}

pub async fn insert_status_change(c: &mut Conn<'_>, workspace_id: Uuid, r: &StatusChangeRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO deliverable_status_changes (id, workspace_id, deliverable_id, from_status, to_status, actor, \
         actor_label, reason, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            r.id,
            workspace_id,
            r.deliverable_id,
            r.from_status.clone(),
            r.to_status.clone(),
            r.actor.clone(),
            r.actor_label.clone(),
            r.reason.clone(),
            r.changed_at
        ],
    )
    .await?;
    Ok(())
}

/// A deliverable's status history, oldest first.
pub async fn status_history(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    deliverable: Uuid,
) -> StoreResult<Vec<StatusChangeRow>> {
    c.fetch_all(
        "SELECT id, deliverable_id, from_status, to_status, actor, actor_label, reason, changed_at \
         FROM deliverable_status_changes WHERE workspace_id = $1 AND deliverable_id = $2 ORDER BY id",
        args![workspace_id, deliverable],
    )
    .await
}
