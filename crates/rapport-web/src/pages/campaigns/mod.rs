//! Campaign pages: the list (filtered by status, or the deleted ones), the campaign page
//! (details, budget with committed and remaining, the board of its collaborations by
//! stage, adding a creator) and its actions (status, delete, restore). The form lives in
//! [`form`], the board's actions in [`board`].

mod board;
mod brief;
mod deal;
mod deliverable;
mod form;
mod terms;
pub use board::{CreatorCampaigns, of_creator};
pub use deliverable::ticked;

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::campaigns::{self, CampaignQuery, CampaignView, StatusInput, money_text};
use rapport_app::collaborations::{self, CollaborationView};
use rapport_core::Invalid;
use rapport_core::campaigns::{DisclosureProfile, Status};
use rapport_core::collaborations::Stage;
use rapport_core::ids::CampaignId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(form::router())
        .merge(board::router())
        .merge(brief::router())
        .merge(deal::router())
        .merge(deliverable::router())
        .merge(terms::router())
        .route("/campaigns", get(list_campaigns))
        .route("/campaigns/{id}", get(show_campaign))
        .route("/campaigns/{id}/status", post(set_status))
        .route("/campaigns/{id}/delete", post(delete_campaign))
        .route("/campaigns/{id}/restore", post(restore_campaign))
}

/// A status filter link above the list.
pub struct FilterLink {
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub status: String,
    pub status_label: String,
    pub dates: String,
    pub budget: String,
    pub committed: String,
    pub collaborations: i64,
}

fn dates(v: &CampaignView) -> String {
    match (&v.starts_on, &v.ends_on) {
        (Some(s), Some(e)) => format!("{s} – {e}"),
        (Some(s), None) => format!("from {s}"),
        (None, Some(e)) => format!("until {e}"),
        (None, None) => "—".into(),
    }
}

fn budget_text(v: &CampaignView) -> String {
    v.budget_minor.map(|b| money_text(b, &v.currency)).unwrap_or_else(|| "—".into())
}

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    filters: Vec<FilterLink>,
    deleted: bool,
}

async fn list_campaigns(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<CampaignQuery>,
) -> Result<Response, PageError> {
    let status = q.status.clone().unwrap_or_default();
    let deleted = q.deleted.unwrap_or(false);
    let mut filters =
        vec![FilterLink { label: "All", url: "/campaigns".into(), current: status.is_empty() && !deleted }];
    filters.extend(Status::ALL.into_iter().map(|s| FilterLink {
        label: s.label(),
        url: format!("/campaigns?status={}", s.slug()),
        current: status == s.slug() && !deleted,
    }));
    filters.push(FilterLink { label: "Deleted", url: "/campaigns?deleted=true".into(), current: deleted });
    let rows = campaigns::list(&state.app, session.ctx(), &q)
        .await?
        .into_iter()
        .map(|v| Row {
            id: v.id.to_string(),
            dates: dates(&v),
            budget: budget_text(&v),
            committed: money_text(v.committed_minor, &v.currency),
            status: v.status,
            status_label: v.status_label,
            collaborations: v.collaborations,
            name: v.name,
        })
        .collect();
    let layout = Layout::new(&state, &session, "Campaigns", "campaigns", flash).await?;
    Ok(Html(ListPage { layout, rows, filters, deleted }.render()?).into_response())
}

/// One card on the board.
pub struct Card {
    pub id: String,
    pub creator_id: String,
    pub creator_name: String,
    pub fee: String,
    pub latest_offer: Option<String>,
    /// Where it may move: (stage, label).
    pub targets: Vec<(String, String)>,
}

pub struct Column {
    pub slug: &'static str,
    pub label: &'static str,
    pub cards: Vec<Card>,
    /// Σ agreed fees in the column.
    pub total: String,
}

fn card(c: CollaborationView) -> Card {
    let latest_offer = c.latest_offer.as_ref().map(|o| {
        let who = if o.direction == "creator_to_brand" { "Creator asks" } else { "We offer" };
        format!("{who} {} · {}", money_text(o.amount_minor, &o.currency), o.status)
    });
    Card {
        id: c.id.to_string(),
        creator_id: c.creator_id.to_string(),
        fee: c.agreed_fee_minor.map(|f| money_text(f, &c.currency)).unwrap_or_else(|| "No fee agreed".into()),
        latest_offer,
        targets: c
            .allowed_stages
            .iter()
            .filter_map(|s| Stage::parse(s))
            .map(|s| (s.slug().to_string(), s.label().to_string()))
            .collect(),
        creator_name: c.creator_name,
    }
}

/// The board: one column per stage, in the order of the stage machine.
pub fn columns(all: Vec<CollaborationView>, currency: &str) -> Vec<Column> {
    let mut cols: Vec<Column> = Stage::ALL
        .into_iter()
        .map(|s| Column { slug: s.slug(), label: s.label(), cards: vec![], total: String::new() })
        .collect();
    let mut totals = vec![0i64; cols.len()];
    for c in all {
        if let Some(i) = cols.iter().position(|col| col.slug == c.stage) {
            totals[i] = totals[i].saturating_add(c.agreed_fee_minor.unwrap_or(0));
            cols[i].cards.push(card(c));
        }
    }
    for (col, total) in cols.iter_mut().zip(totals) {
        col.total = money_text(total, currency);
    }
    cols
}

#[derive(Template)]
#[template(path = "campaigns/show.html")]
struct ShowPage {
    layout: Layout,
    c: CampaignView,
    dates: String,
    budget: String,
    committed: String,
    remaining: Option<String>,
    over_budget: bool,
    disclosure: &'static str,
    statuses: Vec<(String, String)>,
    columns: Vec<Column>,
    add_creator: String,
    add_errors: Invalid,
    /// A refused move or status change, said in a sentence.
    problem: Option<String>,
}

/// What the campaign page's forms hold when re-shown with a problem.
#[derive(Default)]
pub struct ShowForms {
    pub add_creator: String,
    pub add_errors: Invalid,
    pub problem: Option<String>,
}

async fn render_show(
    state: &AppState,
    session: &Session,
    flash: Flash,
    id: CampaignId,
    forms: ShowForms,
) -> Result<ShowPage, PageError> {
    let ctx = session.ctx();
    let c = campaigns::get(&state.app, ctx, id).await?;
    let collabs =
        if c.deleted_at.is_none() { collaborations::list_for_campaign(&state.app, ctx, id).await? } else { vec![] };
    let layout = Layout::new(state, session, c.name.clone(), "campaigns", flash).await?;
    Ok(ShowPage {
        layout,
        dates: dates(&c),
        budget: budget_text(&c),
        committed: money_text(c.committed_minor, &c.currency),
        remaining: c.remaining_minor.map(|r| money_text(r, &c.currency)),
        over_budget: c.remaining_minor.is_some_and(|r| r < 0),
        disclosure: DisclosureProfile::parse(&c.disclosure_profile).map(|d| d.label()).unwrap_or(""),
        statuses: c
            .allowed_statuses
            .iter()
            .filter_map(|s| Status::parse(s))
            .map(|s| (s.slug().to_string(), s.label().to_string()))
            .collect(),
        columns: columns(collabs, &c.currency),
        add_creator: forms.add_creator,
        add_errors: forms.add_errors,
        problem: forms.problem,
        c,
    })
}

/// The campaign page again with a problem (`status`: 409 or 422).
pub async fn rerender(
    state: &AppState,
    session: &Session,
    id: CampaignId,
    status: StatusCode,
    forms: ShowForms,
) -> Result<Response, PageError> {
    let page = render_show(state, session, Flash(None), id, forms).await?;
    Ok((status, Html(page.render()?)).into_response())
}

pub fn parse_id(id: &str) -> Result<CampaignId, PageError> {
    Ok(id.parse().map_err(|_| AppError::NotFound)?)
}

async fn show_campaign(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let page = render_show(&state, &session, flash, parse_id(&id)?, ShowForms::default()).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let input = StatusInput { status: Some(f.form.status.clone()) };
    match campaigns::set_status(&state.app, f.session.ctx(), id, input).await {
        Ok(c) => {
            Ok(redirect_with_flash(&state, &format!("/campaigns/{id}"), &format!("Campaign is now {}.", c.status)))
        }
        Err(AppError::Conflict { message, .. }) => {
            let forms = ShowForms { problem: Some(crate::format::sentence(&message)), ..Default::default() };
            rerender(&state, &f.session, id, StatusCode::CONFLICT, forms).await
        }
        Err(AppError::Invalid(inv)) => {
            let problem = inv.errors.first().map(|e| format!("Status {}.", e.message));
            rerender(
                &state,
                &f.session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                ShowForms { problem, ..Default::default() },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn delete_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let c = campaigns::delete(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/campaigns/{id}"),
        &format!("“{}” was deleted. You can restore it from this page.", c.name),
    ))
}

async fn restore_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let c = campaigns::restore(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, &format!("/campaigns/{id}"), &format!("“{}” was restored.", c.name)))
}
