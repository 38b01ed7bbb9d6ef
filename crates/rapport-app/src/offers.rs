//! Offers and counter-offers: the negotiation history of a collaboration. A new offer
//! counters the open one and moves an invited collaboration to negotiating; accepting one
//! sets the agreed fee (and the usage rights and exclusivity it named) and moves the
//! collaboration to agreed — one transaction, with stage history. Declining and
//! withdrawing close an open offer; an open offer past its expiry reads as expired.

use crate::App;
use crate::campaigns::{currency_of, require_campaign};
use crate::collaborations::{require_collaboration, set_stage, stage_of};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::collaborations::{Direction, FeeModel, OfferInput, OfferStatus, Stage, effective, validate_offer};
use rapport_core::diff::Change;
use rapport_core::ids::{CampaignId, CollaborationId, OfferId};
use rapport_core::money::Currency;
use rapport_store::collaborations::CollaborationRow;
use rapport_store::offers::{self as store, OfferRow};
use rapport_store::{Conn, Tx};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    #[schema(value_type = String, example = "of_0193…")]
    pub id: OfferId,
    #[schema(value_type = String, example = "col_0193…")]
    pub collaboration_id: CollaborationId,
    /// `brand_to_creator` or `creator_to_brand`.
    pub direction: String,
    pub amount_minor: i64,
    pub currency: String,
    pub deliverables: Option<String>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    /// `open`, `accepted`, `declined`, `countered`, `withdrawn` or `expired` (open and past
    /// its expiry).
    pub status: String,
    pub created_by: String,
    pub created_by_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<OffsetDateTime>,
}

fn stored_status(r: &OfferRow) -> OfferStatus {
    OfferStatus::parse(&r.status).unwrap_or(OfferStatus::Open)
}

/// Views of stored offers, with `expired` derived as of now.
pub fn offer_views(rows: Vec<OfferRow>) -> Vec<OfferView> {
    let t = now();
    rows.into_iter()
        .map(|r| OfferView {
            id: OfferId(r.id),
            collaboration_id: CollaborationId(r.collaboration_id),
            status: effective(stored_status(&r), r.expires_at, t).slug().into(),
            direction: r.direction,
            amount_minor: r.amount_minor,
            currency: r.currency,
            deliverables: r.deliverables,
            usage_rights: r.usage_rights,
            exclusivity: r.exclusivity,
            expires_at: r.expires_at,
            created_by: r.created_by,
            created_by_label: r.created_by_label,
            created_at: r.created_at,
            decided_at: r.decided_at,
        })
        .collect()
}

fn one(row: OfferRow) -> AppResult<OfferView> {
    offer_views(vec![row]).into_iter().next().ok_or(AppError::NotFound)
}

/// A collaboration's offers, oldest first.
pub async fn list(app: &App, ctx: &Ctx, collaboration: CollaborationId) -> AppResult<Vec<OfferView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let row = require_collaboration(&mut c, ctx, collaboration).await?;
    Ok(offer_views(store::list_for(&mut c, ctx.ws(), row.id).await?))
}

fn amount_change(field: &str, r: &OfferRow) -> Vec<Change> {
    let text = crate::campaigns::money_text(r.amount_minor, &r.currency);
    vec![Change { field: field.into(), before: Value::Null, after: Value::String(text) }]
}

/// Makes an offer while the collaboration is invited or negotiating. The open offer, if
/// any, becomes `countered`; an invited collaboration moves to negotiating. A currency
/// other than the campaign's is a 422.
///
/// A creator in their portal always makes a counter-offer (`creator_to_brand`).
pub async fn create(app: &App, ctx: &Ctx, collaboration: CollaborationId, input: OfferInput) -> AppResult<OfferView> {
    ctx.require_contributor()?;
    let mut input = input;
    if ctx.creator().is_some() {
        input.direction = Some(Direction::CreatorToBrand.slug().into());
    }
    let t = now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut collab = require_collaboration(&mut c, ctx, collaboration).await?;
    let campaign = require_campaign(&mut c, ctx, CampaignId(collab.campaign_id), false).await?;
    let currency = currency_of(&campaign)?;
    let mut e = Invalid::new();
    if let Some(given) = input.currency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match Currency::parse(given) {
            Ok(cur) if cur == currency => {}
            Ok(cur) => e.add("currency", format!("must be the campaign's currency {currency}, not {cur}")),
            Err(m) => e.add("currency", m),
        }
    }
    let draft = e.absorb(validate_offer(&input, t));
    let draft = e.into_result(draft)?.ok_or_else(|| AppError::Internal("offer".into()))?;
    let stage = stage_of(&collab)?;
    if !matches!(stage, Stage::Invited | Stage::Negotiating) {
        return Err(AppError::Conflict {
            message: format!("offers can be made while invited or negotiating; this collaboration is {}", stage.slug()),
            field: Some("stage".into()),
            existing: None,
        });
    }
    for open in store::list_for(&mut c, ctx.ws(), collab.id).await? {
        if effective(stored_status(&open), open.expires_at, t) == OfferStatus::Open {
            store::decide(&mut c, ctx.ws(), open.id, OfferStatus::Countered.slug(), &ctx.actor.to_string(), t).await?;
        }
    }
    let row = OfferRow {
        id: OfferId::new().0,
        collaboration_id: collab.id,
        direction: draft.direction.slug().into(),
        amount_minor: draft.amount_minor,
        currency: currency.to_string(),
        deliverables: draft.deliverables,
        usage_rights: draft.usage_rights,
        exclusivity: draft.exclusivity,
        expires_at: draft.expires_at,
        status: OfferStatus::Open.slug().into(),
        created_by: ctx.actor.to_string(),
        created_by_label: ctx.actor_label.clone(),
        created_at: t,
        decided_by: None,
        decided_at: None,
    };
    store::insert(&mut c, ctx.ws(), &row).await?;
    let field = match draft.direction {
        Direction::BrandToCreator => "offer to the creator",
        Direction::CreatorToBrand => "offer from the creator",
    };
    timeline::record(&mut c, ctx, collab.creator_id, "offer.made", amount_change(field, &row)).await?;
    if stage == Stage::Invited {
        set_stage(&mut c, ctx, &mut collab, Stage::Negotiating, Some("An offer was made".into())).await?;
    }
    tx.commit().await?;
    one(row)
}

/// An offer of a live collaboration, with its collaboration, in a write transaction.
async fn open_offer(c: &mut Conn<'_>, ctx: &Ctx, id: OfferId) -> AppResult<(OfferRow, CollaborationRow)> {
    let offer = store::get(c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    let collab = require_collaboration(c, ctx, CollaborationId(offer.collaboration_id)).await?;
    let status = effective(stored_status(&offer), offer.expires_at, now());
    if status != OfferStatus::Open {
        return Err(AppError::Conflict {
            message: format!("this offer is {}; only an open offer can be decided", status.slug()),
            field: Some("status".into()),
            existing: None,
        });
    }
    Ok((offer, collab))
}

async fn decide(c: &mut Conn<'_>, ctx: &Ctx, offer: &mut OfferRow, status: OfferStatus) -> AppResult<()> {
    let t = now();
    if store::decide(c, ctx.ws(), offer.id, status.slug(), &ctx.actor.to_string(), t).await? == 0 {
        return Err(AppError::conflict("this offer was decided a moment ago; reload to see how"));
    }
    offer.status = status.slug().into();
    offer.decided_by = Some(ctx.actor.to_string());
    offer.decided_at = Some(t);
    Ok(())
}

async fn begin(app: &App, ctx: &Ctx) -> AppResult<Tx> {
    ctx.require_contributor()?;
    Ok(app.db.begin().await?)
}

/// In the portal a creator accepts or declines the brand's offers and withdraws their own.
fn creator_may(ctx: &Ctx, offer: &OfferRow, to: OfferStatus) -> AppResult<()> {
    if ctx.creator().is_none() {
        return Ok(());
    }
    let theirs = offer.direction == Direction::CreatorToBrand.slug();
    let allowed = match to {
        OfferStatus::Withdrawn => theirs,
        _ => !theirs,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(if theirs {
            "this is your own offer: you can withdraw it, the brand decides on it".into()
        } else {
            "only the brand can withdraw its offer; you can accept, decline or counter it".into()
        }))
    }
}

/// Accepts an open offer of a negotiating collaboration: the offer's amount becomes the
/// agreed fee, its usage rights and exclusivity (when it named them) the terms, and the
/// collaboration moves to agreed.
pub async fn accept(app: &App, ctx: &Ctx, id: OfferId) -> AppResult<OfferView> {
    let mut tx = begin(app, ctx).await?;
    let mut c = tx.conn();
    let (mut offer, mut collab) = open_offer(&mut c, ctx, id).await?;
    creator_may(ctx, &offer, OfferStatus::Accepted)?;
    decide(&mut c, ctx, &mut offer, OfferStatus::Accepted).await?;
    collab.agreed_fee_minor = Some(offer.amount_minor);
    if collab.fee_model == FeeModel::Gifted.slug() && offer.amount_minor > 0 {
        // A paid offer on a gifted deal makes it fee plus product.
        collab.fee_model = FeeModel::Hybrid.slug().into();
    }
    if offer.usage_rights.is_some() {
        collab.usage_rights = offer.usage_rights.clone();
    }
    if offer.exclusivity.is_some() {
        collab.exclusivity = offer.exclusivity.clone();
    }
    timeline::record(&mut c, ctx, collab.creator_id, "offer.accepted", amount_change("agreed fee", &offer)).await?;
    set_stage(&mut c, ctx, &mut collab, Stage::Agreed, Some("Offer accepted".into())).await?;
    tx.commit().await?;
    one(offer)
}

async fn close(app: &App, ctx: &Ctx, id: OfferId, status: OfferStatus, action: &str) -> AppResult<OfferView> {
    let mut tx = begin(app, ctx).await?;
    let mut c = tx.conn();
    let (mut offer, collab) = open_offer(&mut c, ctx, id).await?;
    creator_may(ctx, &offer, status)?;
    decide(&mut c, ctx, &mut offer, status).await?;
    timeline::record(&mut c, ctx, collab.creator_id, action, amount_change("offer", &offer)).await?;
    tx.commit().await?;
    one(offer)
}

/// Declines an open offer (the other side said no).
pub async fn decline(app: &App, ctx: &Ctx, id: OfferId) -> AppResult<OfferView> {
    close(app, ctx, id, OfferStatus::Declined, "offer.declined").await
}

/// Withdraws an open offer (its maker took it back).
pub async fn withdraw(app: &App, ctx: &Ctx, id: OfferId) -> AppResult<OfferView> {
    close(app, ctx, id, OfferStatus::Withdrawn, "offer.withdrawn").await
}
