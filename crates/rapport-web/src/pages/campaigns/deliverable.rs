//! A deliverable's page for the team: its requirements and status, every draft with its
//! disclosure check, checklist, decision and comments; the review form (tick the
//! checklist, approve or request changes), comments, moves by hand (missed, cancelled,
//! published, verified) and share links for reviewers without an account.

use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::pages::{Flash, Layout, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::deliverables::{self, StatusInput};
use rapport_app::reviews::{self, CommentInput, ReviewDetail, ReviewLinkInput, ReviewLinkView};
use rapport_core::Invalid;
use rapport_core::deliverables::Status;
use rapport_core::ids::{DeliverableId, ReviewLinkId, SubmissionId};
use rapport_core::reviews::DecisionInput;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deliverables/{id}", get(page))
        .route("/deliverables/{id}/status", post(move_status))
        .route("/deliverables/{id}/review-links", post(create_link))
        .route("/deliverables/{id}/submissions/{sub}/decision", post(decide))
        .route("/deliverables/{id}/submissions/{sub}/comments", post(comment))
        .route("/deliverables/{id}/review-links/{link}/revoke", post(revoke_link))
}

/// Every form of the page as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Forms {
    decision: String,
    feedback: String,
    body: String,
    status: String,
    published_url: String,
    reason: String,
    label: String,
    expires_in_days: String,
}

#[derive(Template)]
#[template(path = "campaigns/deliverable.html")]
struct DeliverablePage {
    file_prefix: String,
    layout: Layout,
    review: ReviewDetail,
    links: Vec<ReviewLinkView>,
    /// A share link just made, shown once.
    new_link: Option<String>,
    /// The manual moves allowed from here, as (status, label).
    moves: Vec<(String, &'static str)>,
    form: Forms,
    checked: Vec<usize>,
    errors: Invalid,
}

impl DeliverablePage {
    fn is_checked(&self, i: &usize) -> bool {
        self.checked.contains(i)
    }
}

fn dl_id(s: &str) -> Result<DeliverableId, PageError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

struct Extra {
    form: Forms,
    checked: Vec<usize>,
    errors: Invalid,
    new_link: Option<String>,
}

impl Extra {
    fn none() -> Extra {
        Extra { form: Forms::default(), checked: vec![], errors: Invalid::new(), new_link: None }
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    id: DeliverableId,
    extra: Extra,
) -> Result<DeliverablePage, PageError> {
    let ctx = session.ctx();
    let review = reviews::detail(&state.app, ctx, id).await?;
    let links = if ctx.role.can_write() { reviews::links(&state.app, ctx, id).await? } else { vec![] };
    let moves = review
        .deliverable
        .allowed_statuses
        .iter()
        .filter(|s| matches!(s.as_str(), "missed" | "cancelled" | "published" | "verified"))
        .filter_map(|s| Status::parse(s).map(|st| (s.clone(), st.label())))
        .collect();
    let d = &review.deliverable;
    let title = format!("{} · {} on {}", d.creator_name, d.format_label, d.platform_label);
    let layout = Layout::new(state, session, title, "campaigns", flash).await?;
    Ok(DeliverablePage {
        file_prefix: "/files/".into(),
        layout,
        review,
        links,
        new_link: extra.new_link,
        moves,
        form: extra.form,
        checked: extra.checked,
        errors: extra.errors,
    })
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(Html(render(&state, &session, flash, dl_id(&id)?, Extra::none()).await?.render()?).into_response())
}

/// Back to the page, or the page again with the errors inline and what was typed.
async fn settle<T>(
    state: &AppState,
    f: &CsrfForm<Forms>,
    id: DeliverableId,
    checked: Vec<usize>,
    r: Result<T, AppError>,
    flash: &str,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(redirect_with_flash(state, &format!("/deliverables/{id}"), flash)),
        Err(AppError::Invalid(errors)) => {
            let extra = Extra { form: f.form.clone(), checked, errors, new_link: None };
            let page = render(state, &f.session, Flash(None), id, extra).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn move_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Forms>,
) -> Result<Response, PageError> {
    let id = dl_id(&id)?;
    let input = StatusInput {
        status: Some(f.form.status.clone()),
        reason: Some(f.form.reason.clone()),
        published_url: Some(f.form.published_url.clone()),
    };
    let r = deliverables::move_status(&state.app, f.session.ctx(), id, input).await;
    settle(&state, &f, id, vec![], r, "Status changed.").await
}

/// The positions ticked in a checklist form (`checked` repeated).
pub fn ticked(raw: &[u8]) -> Vec<usize> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k == "checked")
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

async fn decide(
    State(state): State<AppState>,
    Path((id, sub)): Path<(String, String)>,
    f: CsrfForm<Forms>,
) -> Result<Response, PageError> {
    let id = dl_id(&id)?;
    let sub: SubmissionId = sub.parse().map_err(|_| AppError::NotFound)?;
    let checked = ticked(&f.raw);
    let input = DecisionInput {
        decision: Some(f.form.decision.clone()),
        feedback: Some(f.form.feedback.clone()),
        checked: Some(checked.clone()),
        reviewer_name: None,
    };
    let r = reviews::decide(&state.app, f.session.ctx(), sub, input).await;
    settle(&state, &f, id, checked, r, "Decision recorded.").await
}

async fn comment(
    State(state): State<AppState>,
    Path((id, sub)): Path<(String, String)>,
    f: CsrfForm<Forms>,
) -> Result<Response, PageError> {
    let id = dl_id(&id)?;
    let sub: SubmissionId = sub.parse().map_err(|_| AppError::NotFound)?;
    let r = reviews::comment(&state.app, f.session.ctx(), sub, CommentInput { body: Some(f.form.body.clone()) }).await;
    settle(&state, &f, id, vec![], r, "Comment added.").await
}

async fn create_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    f: CsrfForm<Forms>,
) -> Result<Response, PageError> {
    let id = dl_id(&id)?;
    let days = f.form.expires_in_days.trim();
    let input = ReviewLinkInput {
        label: Some(f.form.label.clone()),
        expires_in_days: if days.is_empty() { None } else { Some(days.parse().unwrap_or(0)) },
    };
    match reviews::create_link(&state.app, f.session.ctx(), id, input).await {
        Ok(link) => {
            let url = format!("{}{}", state.public_origin(&headers), link.path);
            let extra = Extra { new_link: Some(url), ..Extra::none() };
            let page = render(&state, &f.session, Flash(None), id, extra).await?;
            Ok(Html(page.render()?).into_response())
        }
        r => settle(&state, &f, id, vec![], r, "").await,
    }
}

async fn revoke_link(
    State(state): State<AppState>,
    Path((id, link)): Path<(String, String)>,
    f: CsrfForm<Forms>,
) -> Result<Response, PageError> {
    let id = dl_id(&id)?;
    let link: ReviewLinkId = link.parse().map_err(|_| AppError::NotFound)?;
    let r = reviews::revoke_link(&state.app, f.session.ctx(), link).await;
    settle(&state, &f, id, vec![], r, "Share link revoked.").await
}
