//! `/api/v1/creators/{id}/emails`, `/api/v1/emails`, the outreach lock and its override log.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::outbox::{self, EmailInput, EmailQuery, EmailView, LockView, OverrideView};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/emails", get(list_creator_emails).post(send_email))
        .route("/creators/{id}/outreach-lock", get(outreach_lock))
        .route("/emails", get(list_emails))
        .route("/emails/{email}", get(show_email))
        .route("/emails/{email}/cancel", post(cancel_email))
        .route("/outreach-overrides", get(list_overrides))
}

/// Queue an email to a creator. It is delivered by the outbox worker: throttled per sender,
/// retried on temporary failures. Refused (409) for do-not-contact creators, suppressed
/// addresses, and — unless `override` is true — when the outreach lock applies.
#[utoipa::path(post, path = "/creators/{id}/emails", tag = "email", params(("id" = String, Path)),
    request_body = EmailInput, security(("api_key" = [])),
    responses((status = 201, body = EmailView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_email(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<(StatusCode, Json<EmailView>), ApiError> {
    let input: EmailInput = body.parse()?;
    let origin = s.public_origin(&headers);
    Ok((StatusCode::CREATED, Json(outbox::queue(&s.app, &ctx, path_id(&id)?, input, &origin).await?)))
}

/// A creator's emails, newest first.
#[utoipa::path(get, path = "/creators/{id}/emails", tag = "email", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<EmailView>), (status = 404, body = ErrorBody)))]
pub async fn list_creator_emails(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<EmailView>>, ApiError> {
    path_id::<rapport_core::ids::CreatorId>(&id)?;
    let q = EmailQuery { creator_id: Some(id), ..Default::default() };
    Ok(Json(outbox::list(&s.app, &ctx, &q).await?))
}

/// Whether writing to this creator now needs an override, and why.
#[utoipa::path(get, path = "/creators/{id}/outreach-lock", tag = "email", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = LockView), (status = 404, body = ErrorBody)))]
pub async fn outreach_lock(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<LockView>, ApiError> {
    Ok(Json(outbox::lock(&s.app, &ctx, path_id(&id)?).await?))
}

/// The workspace's emails, newest first; page with `before`.
#[utoipa::path(get, path = "/emails", tag = "email", params(EmailQuery), security(("api_key" = [])),
    responses((status = 200, body = Vec<EmailView>), (status = 422, body = ErrorBody)))]
pub async fn list_emails(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<EmailQuery>,
) -> Result<Json<Vec<EmailView>>, ApiError> {
    Ok(Json(outbox::list(&s.app, &ctx, &q).await?))
}

/// One email with its delivery status.
#[utoipa::path(get, path = "/emails/{email}", tag = "email", params(("email" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = EmailView), (status = 404, body = ErrorBody)))]
pub async fn show_email(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(email): Path<String>,
) -> Result<Json<EmailView>, ApiError> {
    Ok(Json(outbox::get(&s.app, &ctx, path_id(&email)?).await?))
}

/// Cancel an email that has not gone out yet (409 once it is sending or sent).
#[utoipa::path(post, path = "/emails/{email}/cancel", tag = "email", params(("email" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = EmailView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn cancel_email(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(email): Path<String>,
) -> Result<Json<EmailView>, ApiError> {
    Ok(Json(outbox::cancel(&s.app, &ctx, path_id(&email)?).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OverrideQuery {
    /// Only overrides for this creator, `cr_…`.
    pub creator_id: Option<String>,
}

/// Who overrode the outreach lock, for which creator, why — newest first.
#[utoipa::path(get, path = "/outreach-overrides", tag = "email", params(OverrideQuery), security(("api_key" = [])),
    responses((status = 200, body = Vec<OverrideView>), (status = 404, body = ErrorBody)))]
pub async fn list_overrides(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<OverrideQuery>,
) -> Result<Json<Vec<OverrideView>>, ApiError> {
    let creator = match q.creator_id.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(path_id(c)?),
        None => None,
    };
    Ok(Json(outbox::overrides(&s.app, &ctx, creator).await?))
}
