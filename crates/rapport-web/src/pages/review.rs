//! The page a share link opens for a reviewer without an account (the brand's client):
//! the deliverable's drafts with their checklist and disclosure check, and — while the
//! newest draft waits — the decision form, where the reviewer names themself. The secret
//! in the link is the only credential; an expired or revoked link says so.

use crate::auth::{CSRF_FIELD, PRE_CSRF_COOKIE, cookie, pre_auth_token};
use crate::error::PageError;
use crate::pages::campaigns::ticked;
use crate::pages::portal::{outside, outside_error};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_app::reviews::{self, ReviewDetail};
use rapport_app::{AppError, tokens};
use rapport_core::Invalid;
use rapport_core::ids::SubmissionId;
use rapport_core::reviews::DecisionInput;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review/{token}", get(page))
        .route("/review/{token}/submissions/{sub}/decision", post(decide))
        .route("/review/{token}/files/{id}", get(file))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    reviewer_name: String,
    decision: String,
    feedback: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    file_prefix: String,
    css: String,
    csrf: String,
    token: String,
    review: ReviewDetail,
    form: ReviewForm,
    checked: Vec<usize>,
    errors: Invalid,
    done: bool,
}

impl ReviewPage {
    fn is_checked(&self, i: &usize) -> bool {
        self.checked.contains(i)
    }
}

async fn render(
    state: &AppState,
    token: String,
    form: ReviewForm,
    checked: Vec<usize>,
    errors: Invalid,
    status: StatusCode,
) -> Result<Response, PageError> {
    let review = match reviews::detail_by_link(&state.app, &token).await {
        Ok(r) => r,
        Err(e) => return Ok(outside(e)),
    };
    let (csrf, cookie) = pre_auth_token(state)?;
    let done = review.deliverable.status != "draft_submitted";
    let page = ReviewPage {
        file_prefix: format!("/review/{token}/files/"),
        css: crate::assets::css_url(),
        csrf,
        token,
        review,
        form,
        checked,
        errors,
        done,
    };
    Ok((status, [cookie], Html(page.render()?)).into_response())
}

async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    render(&state, token, ReviewForm::default(), vec![], Invalid::new(), StatusCode::OK).await
}

/// The decision form: a double-submit CSRF token (the reviewer has no session), the
/// reviewer's name, the ticked checklist (`checked` repeated) and the feedback.
async fn decide(
    State(state): State<AppState>,
    Path((token, sub)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let sent = pairs.iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.as_str());
    let expected = cookie(&headers, PRE_CSRF_COOKIE);
    if !matches!((sent, expected.as_deref()), (Some(a), Some(b)) if !b.is_empty() && tokens::constant_time_eq(a, b)) {
        return Ok(outside_error(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from Rapport. Go back, reload the page and try again.",
        ));
    }
    let form: ReviewForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let Ok(sub) = sub.parse::<SubmissionId>() else { return Ok(outside(AppError::NotFound)) };
    let checked = ticked(&body);
    let input = DecisionInput {
        decision: Some(form.decision.clone()),
        feedback: Some(form.feedback.clone()),
        checked: Some(checked.clone()),
        reviewer_name: Some(form.reviewer_name.clone()),
    };
    match reviews::decide_by_link(&state.app, &token, sub, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/review/{token}")).into_response()),
        Err(AppError::Invalid(e)) => render(&state, token, form, checked, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Ok(outside(e)),
    }
}

/// A file of the drafts the link shows, served with the safe headers.
async fn file(State(state): State<AppState>, Path((token, id)): Path<(String, String)>) -> Response {
    let Ok(id) = id.parse() else { return outside(AppError::NotFound) };
    match reviews::file_by_link(&state.app, &token, id).await {
        Ok((view, bytes)) => crate::files::file_response(&view, bytes),
        Err(e) => outside(e),
    }
}
