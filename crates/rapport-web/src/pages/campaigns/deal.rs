//! A collaboration's page — the deal between the brand and one creator on a campaign: its
//! terms, stage history and the offers and counter-offers made both ways, with a form to
//! record an offer (or the creator's counter-offer) and buttons to accept, decline or
//! withdraw the open one.

use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format;
use crate::pages::{Flash, Layout, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::campaigns::money_text;
use rapport_app::collaborations::{self, CollaborationDetail};
use rapport_app::deliverables::{self, DeliverableView};
use rapport_app::{AppError, offers};
use rapport_core::Invalid;
use rapport_core::collaborations::OfferInput;
use rapport_core::deliverables::{DeliverableInput, Format};
use rapport_core::ids::{CollaborationId, OfferId};
use rapport_core::money::{Currency, parse_amount};
use rapport_core::platform::Platform;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/collaborations/{id}", get(deal_page))
        .route("/collaborations/{id}/offers", post(record_offer))
        .route("/collaborations/{id}/deliverables", post(plan_deliverable))
        .route("/collaborations/{id}/portal-link", post(send_portal_link))
        .route("/offers/{id}/{decision}", post(decide))
}

/// The deliverable form as typed: the fee in major units.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    platform: String,
    format: String,
    quantity: String,
    draft_due_on: String,
    publish_from: String,
    publish_until: String,
    fee: String,
    hashtags: String,
    mentions: String,
    link: String,
    code: String,
}

/// The offer form as typed: the amount in major units ("2 500.00").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OfferForm {
    direction: String,
    amount: String,
    deliverables: String,
    usage_rights: String,
    exclusivity: String,
    expires_on: String,
}

pub struct OfferRow {
    pub id: String,
    pub from: &'static str,
    pub amount: String,
    pub terms: Vec<(&'static str, String)>,
    pub status: String,
    pub when: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "campaigns/deal.html")]
struct DealPage {
    layout: Layout,
    deal: CollaborationDetail,
    fee: String,
    offers: Vec<OfferRow>,
    history: Vec<(String, String)>,
    form: OfferForm,
    plan: PlanForm,
    errors: Invalid,
    can_offer: bool,
    deliverables: Vec<DeliverableView>,
    platforms: Vec<(&'static str, &'static str)>,
    formats: Vec<(&'static str, &'static str)>,
}

fn rows(d: &CollaborationDetail) -> Vec<OfferRow> {
    d.offers
        .iter()
        .rev()
        .map(|o| {
            let terms =
                [("Deliverables", &o.deliverables), ("Usage rights", &o.usage_rights), ("Exclusivity", &o.exclusivity)]
                    .into_iter()
                    .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
                    .collect();
            OfferRow {
                id: o.id.to_string(),
                from: if o.direction == "creator_to_brand" { "Creator's counter-offer" } else { "Our offer" },
                amount: money_text(o.amount_minor, &o.currency),
                terms,
                open: o.status == "open",
                status: o.status.clone(),
                when: match o.expires_at {
                    Some(t) if o.status == "open" => {
                        format!("{} · expires {}", format::exact(o.created_at), format::date(t))
                    }
                    _ => format::exact(o.created_at),
                },
            }
        })
        .collect()
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    id: CollaborationId,
    form: OfferForm,
    plan: PlanForm,
    errors: Invalid,
) -> Result<DealPage, PageError> {
    let deal = collaborations::get(&state.app, session.ctx(), id).await?;
    let deliverables = deliverables::list_for_collaboration(&state.app, session.ctx(), id).await?;
    let c = &deal.collaboration;
    let fee = c.agreed_fee_minor.map_or_else(|| "no fee agreed yet".into(), |f| money_text(f, &c.currency));
    let can_offer = session.ctx().role.can_write() && matches!(c.stage.as_str(), "invited" | "negotiating");
    let history = deal
        .stage_history
        .iter()
        .map(|h| {
            (
                format!("{} → {}", h.from_stage.clone().unwrap_or_else(|| "—".into()), h.to_stage),
                format::exact(h.changed_at),
            )
        })
        .collect();
    let title = format!("{} · {}", c.creator_name, c.campaign_name);
    let layout = Layout::new(state, session, title, "campaigns", flash).await?;
    let platforms = Platform::ALL.iter().map(|p| (p.slug(), p.label())).collect();
    let formats = Format::ALL.iter().map(|f| (f.slug(), f.label())).collect();
    Ok(DealPage {
        layout,
        offers: rows(&deal),
        fee,
        history,
        form,
        plan,
        errors,
        can_offer,
        deal,
        deliverables,
        platforms,
        formats,
    })
}

fn deal_id(s: &str) -> Result<CollaborationId, PageError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

async fn deal_page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let form = OfferForm { direction: "brand_to_creator".into(), ..Default::default() };
    let plan = PlanForm { quantity: "1".into(), ..Default::default() };
    let page = render(&state, &session, flash, deal_id(&id)?, form, plan, Invalid::new()).await?;
    Ok(Html(page.render()?).into_response())
}

async fn record_offer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<OfferForm>,
) -> Result<Response, PageError> {
    let id = deal_id(&id)?;
    let ctx = f.session.ctx();
    let deal = collaborations::get(&state.app, ctx, id).await?;
    let form = f.form.clone();
    let mut errors = Invalid::new();
    let currency = Currency::parse(&deal.collaboration.currency).map_err(AppError::Internal)?;
    let amount = parse_amount(&form.amount, currency).map_err(|m| errors.add("amount_minor", m)).ok();
    let input = OfferInput {
        direction: Some(form.direction.clone()),
        amount_minor: amount,
        currency: None,
        deliverables: Some(form.deliverables.clone()),
        usage_rights: Some(form.usage_rights.clone()),
        exclusivity: Some(form.exclusivity.clone()),
        expires_at: Some(form.expires_on.clone()).filter(|d| !d.trim().is_empty()),
    };
    let result = match errors.is_empty() {
        true => offers::create(&state.app, ctx, id, input).await,
        false => Err(errors.into()),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/collaborations/{id}"), "Offer recorded.")),
        Err(AppError::Invalid(e)) => {
            let plan = PlanForm { quantity: "1".into(), ..Default::default() };
            let page = render(&state, &f.session, Flash(None), id, form, plan, e).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn decide(
    State(state): State<AppState>,
    Path((id, decision)): Path<(String, String)>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: OfferId = id.parse().map_err(|_| AppError::NotFound)?;
    let ctx = f.session.ctx();
    let (offer, flash) = match decision.as_str() {
        "accept" => (offers::accept(&state.app, ctx, id).await?, "Offer accepted: the fee is agreed."),
        "decline" => (offers::decline(&state.app, ctx, id).await?, "Offer declined."),
        "withdraw" => (offers::withdraw(&state.app, ctx, id).await?, "Offer withdrawn."),
        _ => return Err(AppError::NotFound.into()),
    };
    Ok(redirect_with_flash(&state, &format!("/collaborations/{}", offer.collaboration_id), flash))
}

fn words(s: &str) -> Option<Vec<String>> {
    Some(s.split([',', ' ', '\n']).map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned).collect())
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

async fn plan_deliverable(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<PlanForm>,
) -> Result<Response, PageError> {
    let id = deal_id(&id)?;
    let ctx = f.session.ctx();
    let p = f.form.clone();
    let deal = collaborations::get(&state.app, ctx, id).await?;
    let mut errors = Invalid::new();
    let currency = Currency::parse(&deal.collaboration.currency).map_err(AppError::Internal)?;
    let fee = match text(&p.fee) {
        Some(t) => parse_amount(&t, currency).map_err(|m| errors.add("fee_minor", m)).ok(),
        None => None,
    };
    let quantity = match text(&p.quantity) {
        Some(q) => q.parse::<i64>().map_err(|_| errors.add("quantity", "must be a whole number")).ok(),
        None => None,
    };
    let input = DeliverableInput {
        platform: text(&p.platform),
        format: text(&p.format),
        quantity,
        draft_due_on: text(&p.draft_due_on),
        publish_from: text(&p.publish_from),
        publish_until: text(&p.publish_until),
        fee_minor: fee,
        hashtags: words(&p.hashtags),
        mentions: words(&p.mentions),
        link: text(&p.link),
        code: text(&p.code),
        disclosure_required: None,
    };
    let result = match errors.is_empty() {
        true => deliverables::create(&state.app, ctx, id, input).await,
        false => Err(errors.into()),
    };
    match result {
        Ok(d) => Ok(redirect_with_flash(&state, &format!("/deliverables/{}", d.id), "Deliverable planned.")),
        Err(AppError::Invalid(e)) => {
            let offer = OfferForm { direction: "brand_to_creator".into(), ..Default::default() };
            let page = render(&state, &f.session, Flash(None), id, offer, p, e).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn send_portal_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id = deal_id(&id)?;
    let deal = collaborations::get(&state.app, f.session.ctx(), id).await?;
    let origin = state.public_origin(&headers);
    let to =
        rapport_app::portal::send_link(&state.app, f.session.ctx(), deal.collaboration.creator_id, &origin).await?;
    Ok(redirect_with_flash(&state, &format!("/collaborations/{id}"), &format!("Portal sign-in link sent to {to}.")))
}
