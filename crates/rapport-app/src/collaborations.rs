//! Collaborations — a creator on a campaign, the deal: add a creator (not one marked do
//! not contact, once per campaign), list by campaign or creator, show with the stage
//! history and offers, change the terms, move the stage along its state machine. Every
//! stage change writes a history row in the same transaction ([`set_stage`]), and adding a
//! creator, moving the stage and the offers appear on the creator's timeline.

use crate::App;
use crate::campaigns::{merge_patch, require_campaign, status_of};
use crate::context::Ctx;
use crate::creators::require_creator;
use crate::error::{AppError, AppResult};
use crate::offers::{OfferView, offer_views};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::campaigns::Status;
use rapport_core::collaborations::{CollaborationInput, OfferStatus, Stage, effective, validate_terms};
use rapport_core::diff::Change;
use rapport_core::ids::{CampaignId, CollaborationId, CreatorId, UserId};
use rapport_store::collaborations::{self as store, CollaborationRow, StageChangeRow};
use rapport_store::{Conn, offers, users};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CollaborationView {
    #[schema(value_type = String, example = "col_0193…")]
    pub id: CollaborationId,
    #[schema(value_type = String, example = "cp_0193…")]
    pub campaign_id: CampaignId,
    pub campaign_name: String,
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    pub creator_name: String,
    #[schema(value_type = Option<String>, example = "usr_0193…")]
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    /// `invited`, `negotiating`, `agreed`, `contracted`, `in_production`, `completed`,
    /// `declined` or `cancelled`.
    pub stage: String,
    pub stage_label: String,
    /// The stages it may move to next.
    pub allowed_stages: Vec<String>,
    /// `flat`, `per_deliverable`, `commission`, `gifted` or `hybrid`.
    pub fee_model: String,
    /// The campaign's currency: every amount here is in it.
    pub currency: String,
    pub agreed_fee_minor: Option<i64>,
    pub product_value_minor: Option<i64>,
    /// Basis points (1 250 = 12.5 %).
    pub commission_rate_bp: Option<i64>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    pub exclusivity_ends_on: Option<String>,
    pub draft_due_on: Option<String>,
    pub publish_due_on: Option<String>,
    /// The newest offer, if any.
    pub latest_offer: Option<OfferView>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// One change in a collaboration's stage history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageChangeView {
    /// Absent for the stage it started in.
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub actor: String,
    pub actor_label: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: OffsetDateTime,
}

/// A collaboration with its stage history and every offer, oldest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CollaborationDetail {
    #[serde(flatten)]
    pub collaboration: CollaborationView,
    pub stage_history: Vec<StageChangeView>,
    pub offers: Vec<OfferView>,
}

/// A stage move.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    pub stage: Option<String>,
    /// Why, kept in the history.
    pub reason: Option<String>,
}

/// A stored stage.
pub fn stage_of(r: &CollaborationRow) -> AppResult<Stage> {
    Stage::parse(&r.stage).ok_or_else(|| AppError::Internal(format!("stored stage {}", r.stage)))
}

/// A collaboration of the caller's workspace whose campaign and creator are live; in the
/// creator portal, only one of the signed-in creator's own.
pub async fn require_collaboration(c: &mut Conn<'_>, ctx: &Ctx, id: CollaborationId) -> AppResult<CollaborationRow> {
    let row = store::get(c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    visible(ctx, row.creator_id)?;
    Ok(row)
}

/// Someone outside the team sees only their own creator's records: 404 for any other.
pub fn visible(ctx: &Ctx, creator: Uuid) -> AppResult<()> {
    match ctx.actor {
        rapport_core::actor::Actor::Creator(me) if me.0 != creator => Err(AppError::NotFound),
        rapport_core::actor::Actor::ReviewLink(_) => Err(AppError::NotFound),
        _ => Ok(()),
    }
}

pub(crate) async fn views(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    rows: Vec<CollaborationRow>,
) -> AppResult<Vec<CollaborationView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let members = users::list_members(c, ctx.ws()).await?;
    let mut latest = offer_views(offers::latest_for(c, ctx.ws(), &ids).await?);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let stage = stage_of(&r)?;
        let pos = latest.iter().position(|o| o.collaboration_id.0 == r.id);
        out.push(CollaborationView {
            id: CollaborationId(r.id),
            campaign_id: CampaignId(r.campaign_id),
            campaign_name: r.campaign_name,
            creator_id: CreatorId(r.creator_id),
            creator_name: r.creator_name,
            owner_id: r.owner_id.map(UserId),
            owner_name: r.owner_id.and_then(|o| members.iter().find(|m| m.user_id == o).map(|m| m.name.clone())),
            stage: stage.slug().into(),
            stage_label: stage.label().into(),
            allowed_stages: stage.allowed_next().iter().map(|s| s.slug().to_string()).collect(),
            fee_model: r.fee_model,
            currency: r.currency,
            agreed_fee_minor: r.agreed_fee_minor,
            product_value_minor: r.product_value_minor,
            commission_rate_bp: r.commission_rate_bp,
            usage_rights: r.usage_rights,
            exclusivity: r.exclusivity,
            exclusivity_ends_on: r.exclusivity_ends_on.map(|d| d.to_string()),
            draft_due_on: r.draft_due_on.map(|d| d.to_string()),
            publish_due_on: r.publish_due_on.map(|d| d.to_string()),
            latest_offer: pos.map(|i| latest.swap_remove(i)),
            created_at: r.created_at,
            updated_at: r.updated_at,
        });
    }
    Ok(out)
}

pub(crate) async fn view_one(c: &mut Conn<'_>, ctx: &Ctx, row: CollaborationRow) -> AppResult<CollaborationView> {
    views(c, ctx, vec![row]).await?.into_iter().next().ok_or(AppError::NotFound)
}

/// Parses an owner and checks they belong to the caller's workspace.
async fn owner(c: &mut Conn<'_>, ctx: &Ctx, e: &mut Invalid, v: Option<&str>) -> AppResult<Option<Uuid>> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    match v.parse::<UserId>() {
        Ok(u) if users::role_of(c, ctx.ws(), u.0).await?.is_some() => Ok(Some(u.0)),
        _ => {
            e.add("owner_id", "is not a member of this workspace");
            Ok(None)
        }
    }
}

fn creator_field(input: &CollaborationInput) -> AppResult<CreatorId> {
    match input.creator_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(Invalid::one("creator_id", "is required").into()),
        Some(s) => s.parse::<CreatorId>().map_err(|e| Invalid::one("creator_id", e.to_string()).into()),
    }
}

/// Sets a collaboration's stage inside the caller's transaction: checks the move, writes
/// the row, the history row and the creator's timeline event; declining closes its open
/// offer as declined, cancelling as withdrawn. For later features
/// (contracts, deliverables) that move a deal as a side effect.
pub async fn set_stage(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    row: &mut CollaborationRow,
    to: Stage,
    reason: Option<String>,
) -> AppResult<()> {
    let from = stage_of(row)?;
    from.transition(to).map_err(|m| AppError::Conflict { message: m, field: Some("stage".into()), existing: None })?;
    let t = now();
    row.stage = to.slug().into();
    row.updated_at = t;
    store::update(c, ctx.ws(), row).await?;
    write_history(c, ctx, row.id, Some(from), to, reason, t).await?;
    if let Some(closed) = match to {
        Stage::Declined => Some(OfferStatus::Declined),
        Stage::Cancelled => Some(OfferStatus::Withdrawn),
        _ => None,
    } {
        // A deal that ended leaves no offer open.
        for o in offers::list_for(c, ctx.ws(), row.id).await? {
            let stored = OfferStatus::parse(&o.status).unwrap_or(OfferStatus::Open);
            if effective(stored, o.expires_at, t) == OfferStatus::Open {
                offers::decide(c, ctx.ws(), o.id, closed.slug(), &ctx.actor.to_string(), t).await?;
            }
        }
    }
    let change = Change {
        field: format!("stage on {}", row.campaign_name),
        before: Value::String(from.label().into()),
        after: Value::String(to.label().into()),
    };
    timeline::record(c, ctx, row.creator_id, "collaboration.stage_changed", vec![change]).await
}

async fn write_history(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    collaboration: Uuid,
    from: Option<Stage>,
    to: Stage,
    reason: Option<String>,
    at: OffsetDateTime,
) -> AppResult<()> {
    let row = StageChangeRow {
        id: Uuid::now_v7(),
        collaboration_id: collaboration,
        from_stage: from.map(|s| s.slug().to_string()),
        to_stage: to.slug().into(),
        actor: ctx.actor.to_string(),
        actor_label: ctx.actor_label.clone(),
        reason,
        changed_at: at,
    };
    Ok(store::insert_stage_change(c, ctx.ws(), &row).await?)
}

/// Adds a creator to a live draft or active campaign, in `invited`. The owner defaults to
/// the person adding it. 404 for a creator of another workspace; 409 when the creator is
/// marked do not contact, is already on the campaign, or the campaign is finished.
pub async fn add(
    app: &App,
    ctx: &Ctx,
    campaign: CampaignId,
    input: CollaborationInput,
) -> AppResult<CollaborationView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let cp = require_campaign(&mut c, ctx, campaign, false).await?;
    let creator_id = creator_field(&input)?;
    let creator = require_creator(&mut c, ctx, creator_id, false).await?;
    let mut e = Invalid::new();
    let chosen_owner = owner(&mut c, ctx, &mut e, input.owner_id.as_deref()).await?;
    let terms = e.absorb(validate_terms(&input));
    let terms = e.into_result(terms)?.ok_or_else(|| AppError::Internal("terms".into()))?;
    if matches!(status_of(&cp)?, Status::Completed | Status::Archived) {
        return Err(AppError::conflict(format!("the campaign is {}; creators can no longer be added", cp.status)));
    }
    if creator.do_not_contact {
        return Err(AppError::Conflict {
            message: format!("{} is marked do not contact and cannot be added to a campaign", creator.display_name),
            field: Some("creator_id".into()),
            existing: None,
        });
    }
    if store::find(&mut c, ctx.ws(), cp.id, creator.id).await?.is_some() {
        return Err(AppError::Conflict {
            message: format!("{} is already on this campaign", creator.display_name),
            field: Some("creator_id".into()),
            existing: None,
        });
    }
    let t = now();
    let row = CollaborationRow {
        id: CollaborationId::new().0,
        campaign_id: cp.id,
        campaign_name: cp.name.clone(),
        currency: cp.currency.clone(),
        creator_id: creator.id,
        creator_name: creator.display_name.clone(),
        owner_id: chosen_owner.or(ctx.actor.user_id().map(|u| u.0)),
        stage: Stage::Invited.slug().into(),
        fee_model: terms.fee_model.slug().into(),
        agreed_fee_minor: terms.agreed_fee_minor,
        product_value_minor: terms.product_value_minor,
        commission_rate_bp: terms.commission_rate_bp,
        usage_rights: terms.usage_rights,
        exclusivity: terms.exclusivity,
        exclusivity_ends_on: terms.exclusivity_ends_on,
        draft_due_on: terms.draft_due_on,
        publish_due_on: terms.publish_due_on,
        created_by: ctx.actor.to_string(),
        created_at: t,
        updated_at: t,
    };
    store::insert(&mut c, ctx.ws(), &row).await?;
    write_history(&mut c, ctx, row.id, None, Stage::Invited, None, t).await?;
    let change = Change { field: "campaign".into(), before: Value::Null, after: Value::String(cp.name.clone()) };
    timeline::record(&mut c, ctx, creator.id, "collaboration.added", vec![change]).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// A live campaign's collaborations, in the order they were added.
pub async fn list_for_campaign(app: &App, ctx: &Ctx, campaign: CampaignId) -> AppResult<Vec<CollaborationView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    require_campaign(&mut c, ctx, campaign, false).await?;
    let rows = store::list_for_campaign(&mut c, ctx.ws(), campaign.0).await?;
    views(&mut c, ctx, rows).await
}

/// A creator's collaborations on live campaigns, newest first.
pub async fn list_for_creator(app: &App, ctx: &Ctx, creator: CreatorId) -> AppResult<Vec<CollaborationView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    require_creator(&mut c, ctx, creator, true).await?;
    let rows = store::list_for_creator(&mut c, ctx.ws(), creator.0).await?;
    views(&mut c, ctx, rows).await
}

/// One collaboration with its stage history and offers.
pub async fn get(app: &App, ctx: &Ctx, id: CollaborationId) -> AppResult<CollaborationDetail> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let row = require_collaboration(&mut c, ctx, id).await?;
    let history = store::stage_history(&mut c, ctx.ws(), row.id).await?;
    let all = offer_views(offers::list_for(&mut c, ctx.ws(), row.id).await?);
    Ok(CollaborationDetail {
        collaboration: view_one(&mut c, ctx, row).await?,
        stage_history: history
            .into_iter()
            .map(|h| StageChangeView {
                from_stage: h.from_stage,
                to_stage: h.to_stage,
                actor: h.actor,
                actor_label: h.actor_label,
                reason: h.reason,
                changed_at: h.changed_at,
            })
            .collect(),
        offers: all,
    })
}

/// The editable terms of a collaboration as an input (what a patch is laid over).
pub fn editable(v: &CollaborationView) -> CollaborationInput {
    CollaborationInput {
        creator_id: Some(v.creator_id.to_string()),
        owner_id: v.owner_id.map(|o| o.to_string()),
        fee_model: Some(v.fee_model.clone()),
        agreed_fee_minor: v.agreed_fee_minor,
        product_value_minor: v.product_value_minor,
        commission_rate_bp: v.commission_rate_bp,
        usage_rights: v.usage_rights.clone(),
        exclusivity: v.exclusivity.clone(),
        exclusivity_ends_on: v.exclusivity_ends_on.clone(),
        draft_due_on: v.draft_due_on.clone(),
        publish_due_on: v.publish_due_on.clone(),
    }
}

/// Applies a JSON merge patch (RFC 7396) to the owner and terms; the stage moves only
/// through [`move_stage`] and the creator never changes.
pub async fn patch(app: &App, ctx: &Ctx, id: CollaborationId, patch: Value) -> AppResult<CollaborationView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = require_collaboration(&mut c, ctx, id).await?;
    let current = view_one(&mut c, ctx, row.clone()).await?;
    let input = merge_patch(&editable(&current), patch)?;
    let mut e = Invalid::new();
    if input.creator_id.as_deref() != Some(current.creator_id.to_string().as_str()) {
        e.add("creator_id", "cannot change; add the other creator to the campaign instead");
    }
    let new_owner = owner(&mut c, ctx, &mut e, input.owner_id.as_deref()).await?;
    let terms = e.absorb(validate_terms(&input));
    let terms = e.into_result(terms)?.ok_or_else(|| AppError::Internal("terms".into()))?;
    row.owner_id = new_owner;
    row.fee_model = terms.fee_model.slug().into();
    row.agreed_fee_minor = terms.agreed_fee_minor;
    row.product_value_minor = terms.product_value_minor;
    row.commission_rate_bp = terms.commission_rate_bp;
    row.usage_rights = terms.usage_rights;
    row.exclusivity = terms.exclusivity;
    row.exclusivity_ends_on = terms.exclusivity_ends_on;
    row.draft_due_on = terms.draft_due_on;
    row.publish_due_on = terms.publish_due_on;
    row.updated_at = now();
    store::update(&mut c, ctx.ws(), &row).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Moves a collaboration's stage; a move the state machine forbids is a 409 naming the
/// allowed stages.
pub async fn move_stage(app: &App, ctx: &Ctx, id: CollaborationId, input: StageInput) -> AppResult<CollaborationView> {
    ctx.require_write()?;
    let mut e = Invalid::new();
    let to = match input.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("stage", "is required");
            None
        }
        Some(s) => Stage::parse(s).or_else(|| {
            let all: Vec<&str> = Stage::ALL.iter().map(|s| s.slug()).collect();
            e.add("stage", format!("must be one of {}", all.join(", ")));
            None
        }),
    };
    let reason = rapport_core::validation::optional_text(&mut e, "reason", input.reason.as_deref(), 500);
    let to = e.into_result(to)?.ok_or_else(|| AppError::Internal("stage".into()))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = require_collaboration(&mut c, ctx, id).await?;
    set_stage(&mut c, ctx, &mut row, to, reason).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// A creator named by id (`cr_…`) or exact display name; 422 on `creator` when nobody or
/// several creators match.
pub async fn resolve_creator(app: &App, ctx: &Ctx, text: &str) -> AppResult<CreatorId> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::one("creator", "is required: type a creator's name or id").into());
    }
    if let Ok(id) = text.parse::<CreatorId>() {
        return Ok(id);
    }
    let found = store::creators_named(&mut app.db.read().await?.conn(), ctx.ws(), text).await?;
    match found.as_slice() {
        [(id, _)] => Ok(CreatorId(*id)),
        [] => Err(Invalid::one("creator", format!("no creator is called “{text}”")).into()),
        _ => Err(Invalid::one("creator", format!("{} creators are called “{text}”; use the id", found.len())).into()),
    }
}
