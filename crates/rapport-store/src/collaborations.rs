//! Collaborations — one creator on one campaign, unique per pair — and their stage history
//! (`collaborations`, `collaboration_stage_changes`). Reads join the creator and campaign
//! for names and hide rows whose campaign or creator is deleted.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CollaborationRow {
    pub id: Uuid,
    pub campaign_id: Uuid,
    /// The campaign's name, for lists across campaigns.
    pub campaign_name: String,
    /// The campaign's currency: every amount of the collaboration is in it.
    pub currency: String,
    pub creator_id: Uuid,
    /// The creator's display name.
    pub creator_name: String,
    pub owner_id: Option<Uuid>,
    pub stage: String,
    pub fee_model: String,
    pub agreed_fee_minor: Option<i64>,
    pub product_value_minor: Option<i64>,
    pub commission_rate_bp: Option<i64>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    pub exclusivity_ends_on: Option<Date>,
    pub draft_due_on: Option<Date>,
    pub publish_due_on: Option<Date>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const SELECT: &str = "SELECT l.id, l.campaign_id, p.name AS campaign_name, p.currency, l.creator_id, \
                      c.display_name AS creator_name, l.owner_id, l.stage, l.fee_model, l.agreed_fee_minor, \
                      l.product_value_minor, l.commission_rate_bp, l.usage_rights, l.exclusivity, \
                      l.exclusivity_ends_on, l.draft_due_on, l.publish_due_on, l.created_by, l.created_at, l.updated_at \
                      FROM collaborations l \
                      JOIN campaigns p ON p.id = l.campaign_id AND p.workspace_id = l.workspace_id \
                      JOIN creators c ON c.id = l.creator_id AND c.workspace_id = l.workspace_id";
const LIVE: &str = "p.deleted_at IS NULL AND c.deleted_at IS NULL";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &CollaborationRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO collaborations (id, workspace_id, campaign_id, creator_id, owner_id, stage, fee_model, \
         agreed_fee_minor, product_value_minor, commission_rate_bp, usage_rights, exclusivity, exclusivity_ends_on, \
         draft_due_on, publish_due_on, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        args![
            r.id,
            workspace_id,
            r.campaign_id,
            r.creator_id,
            r.owner_id,
            r.stage.clone(),
            r.fee_model.clone(),
            r.agreed_fee_minor,
            r.product_value_minor,
            r.commission_rate_bp,
            r.usage_rights.clone(),
            r.exclusivity.clone(),
            r.exclusivity_ends_on,
            r.draft_due_on,
            r.publish_due_on,
            r.created_by.clone(),
            r.created_at,
            r.updated_at
        ],
    )
    .await?;
    Ok(())
}

/// Writes the owner, stage and terms.
pub async fn update(c: &mut Conn<'_>, workspace_id: Uuid, r: &CollaborationRow) -> StoreResult<u64> {
    c.execute(
        "UPDATE collaborations SET owner_id = $3, stage = $4, fee_model = $5, agreed_fee_minor = $6, \
         product_value_minor = $7, commission_rate_bp = $8, usage_rights = $9, exclusivity = $10, \
         exclusivity_ends_on = $11, draft_due_on = $12, publish_due_on = $13, updated_at = $14 \
         WHERE workspace_id = $1 AND id = $2",
        args![
            workspace_id,
            r.id,
            r.owner_id,
            r.stage.clone(),
            r.fee_model.clone(),
            r.agreed_fee_minor,
            r.product_value_minor,
            r.commission_rate_bp,
            r.usage_rights.clone(),
            r.exclusivity.clone(),
            r.exclusivity_ends_on,
            r.draft_due_on,
            r.publish_due_on,
            r.updated_at
        ],
    )
    .await
}

/// A collaboration whose campaign and creator are both live.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<CollaborationRow>> {
    c.fetch_optional(format!("{SELECT} WHERE l.workspace_id = $1 AND l.id = $2 AND {LIVE}"), args![workspace_id, id])
        .await
}

/// The collaboration of a creator on a campaign, if any (whatever its stage).
pub async fn find(c: &mut Conn<'_>, workspace_id: Uuid, campaign: Uuid, creator: Uuid) -> StoreResult<Option<Uuid>> {
    let row: Option<(Uuid,)> = c
        .fetch_optional(
            "SELECT id FROM collaborations WHERE workspace_id = $1 AND campaign_id = $2 AND creator_id = $3",
            args![workspace_id, campaign, creator],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// A campaign's collaborations with live creators, in the order they were added.
pub async fn list_for_campaign(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    campaign: Uuid,
) -> StoreResult<Vec<CollaborationRow>> {
    c.fetch_all(
        format!("{SELECT} WHERE l.workspace_id = $1 AND l.campaign_id = $2 AND {LIVE} ORDER BY l.created_at, l.id"),
        args![workspace_id, campaign],
    )
    .await
}

/// A creator's collaborations on live campaigns, newest first.
pub async fn list_for_creator(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator: Uuid,
) -> StoreResult<Vec<CollaborationRow>> {
    c.fetch_all(
        format!(
            "{SELECT} WHERE l.workspace_id = $1 AND l.creator_id = $2 AND {LIVE} ORDER BY l.created_at DESC, l.id DESC"
        ),
        args![workspace_id, creator],
    )
    .await
}

/// Whether any amount was recorded on the campaign (an agreed fee, a product value or an
/// offer): its currency is then fixed.
pub async fn campaign_has_money(c: &mut Conn<'_>, workspace_id: Uuid, campaign: Uuid) -> StoreResult<bool> {
    let n = c
        .scalar_i64(
            "SELECT COUNT(*) FROM collaborations l WHERE l.workspace_id = $1 AND l.campaign_id = $2 \
             AND (l.agreed_fee_minor IS NOT NULL OR l.product_value_minor IS NOT NULL \
                  OR EXISTS (SELECT 1 FROM offers o WHERE o.collaboration_id = l.id))",
            args![workspace_id, campaign],
        )
        .await?;
    Ok(n > 0)
}

/// One change of a collaboration's stage.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageChangeRow {
    pub id: Uuid,
    pub collaboration_id: Uuid,
    /// `None` for the stage it started in.
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub actor: String,
    pub actor_label: String,
    pub reason: Option<String>,
    pub changed_at: OffsetDateTime,
}

pub async fn insert_stage_change(c: &mut Conn<'_>, workspace_id: Uuid, r: &StageChangeRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO collaboration_stage_changes (id, workspace_id, collaboration_id, from_stage, to_stage, actor, \
         actor_label, reason, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            r.id,
            workspace_id,
            r.collaboration_id,
            r.from_stage.clone(),
            r.to_stage.clone(),
            r.actor.clone(),
            r.actor_label.clone(),
            r.reason.clone(),
            r.changed_at
        ],
    )
    .await?;
    Ok(())
}

/// A collaboration's stage history, oldest first (ids are time-ordered).
pub async fn stage_history(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    collaboration: Uuid,
) -> StoreResult<Vec<StageChangeRow>> {
    c.fetch_all(
        "SELECT id, collaboration_id, from_stage, to_stage, actor, actor_label, reason, changed_at \
         FROM collaboration_stage_changes WHERE workspace_id = $1 AND collaboration_id = $2 ORDER BY id",
        args![workspace_id, collaboration],
    )
    .await
}

/// The stage and agreed fee of every collaboration (with a live creator) of the given
/// campaigns, as `(campaign, stage, agreed fee)`: what a budget is computed from.
pub async fn fees(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    campaigns: &[Uuid],
) -> StoreResult<Vec<(Uuid, String, Option<i64>)>> {
    if campaigns.is_empty() {
        return Ok(vec![]);
    }
    let mut f = crate::sql::Filter::with_args(args![workspace_id]);
    let list = f.uuid_list(campaigns);
    let (sql, a) = f.finish(format!(
        "SELECT l.campaign_id, l.stage, l.agreed_fee_minor FROM collaborations l \
         JOIN creators c ON c.id = l.creator_id AND c.workspace_id = l.workspace_id \
         WHERE l.workspace_id = $1 AND l.campaign_id IN ({list}) AND c.deleted_at IS NULL"
    ));
    c.fetch_all(sql, a).await
}

/// Live creators whose display name is `name`, ignoring ASCII case (adding a creator to a
/// campaign by name).
pub async fn creators_named(c: &mut Conn<'_>, workspace_id: Uuid, name: &str) -> StoreResult<Vec<(Uuid, String)>> {
    c.fetch_all(
        "SELECT id, display_name FROM creators WHERE workspace_id = $1 AND deleted_at IS NULL \
         AND lower(display_name) = lower($2) ORDER BY id LIMIT 5",
        args![workspace_id, name],
    )
    .await
}
