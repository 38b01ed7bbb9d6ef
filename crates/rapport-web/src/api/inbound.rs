//! `/api/v1/inbound`: received email — import `.eml`/mbox, the review inbox (assign to a
//! creator, dismiss) — and `/api/v1/settings/mailbox`, the IMAP mailbox that is polled.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::inbound::{self, ImportSummary, InboundQuery, InboundView, MailboxInput, MailboxView};
use serde::Deserialize;

/// The largest `.eml` or mbox file accepted.
pub const MAX_IMPORT_BYTES: usize = 50 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbound", get(list_inbound))
        .route("/inbound/import", post(import_email).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/inbound/{msg}", get(show_inbound))
        .route("/inbound/{msg}/assign", post(assign_inbound))
        .route("/inbound/{msg}/dismiss", post(dismiss_inbound))
        .route("/settings/mailbox", get(show_mailbox).put(replace_mailbox).delete(delete_mailbox))
}

/// Import an `.eml` file or an mbox file (the raw bytes as the body). Each message is filed
/// under a creator by thread or sender address, or left in the review inbox; a Message-ID
/// already received is skipped.
#[utoipa::path(post, path = "/inbound/import", tag = "email", request_body(content = Vec<u8>, content_type = "message/rfc822"),
    security(("api_key" = [])),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_email(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: Bytes,
) -> Result<Json<ImportSummary>, ApiError> {
    Ok(Json(inbound::import(&s.app, &ctx, &body).await?))
}

/// Received email: the review inbox by default (`status=review`), or one creator's.
#[utoipa::path(get, path = "/inbound", tag = "email", params(InboundQuery), security(("api_key" = [])),
    responses((status = 200, body = Vec<InboundView>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_inbound(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<InboundQuery>,
) -> Result<Json<Vec<InboundView>>, ApiError> {
    Ok(Json(inbound::list(&s.app, &ctx, &q).await?))
}

/// One received email.
#[utoipa::path(get, path = "/inbound/{msg}", tag = "email", params(("msg" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = InboundView), (status = 404, body = ErrorBody)))]
pub async fn show_inbound(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(msg): Path<String>,
) -> Result<Json<InboundView>, ApiError> {
    Ok(Json(inbound::get(&s.app, &ctx, path_id(&msg)?).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The creator to file the message under, `cr_…`.
    pub creator_id: String,
}

/// File a message from the review inbox under a creator.
#[utoipa::path(post, path = "/inbound/{msg}/assign", tag = "email", params(("msg" = String, Path)),
    request_body = AssignInput, security(("api_key" = [])),
    responses((status = 200, body = InboundView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn assign_inbound(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(msg): Path<String>,
    body: JsonBody,
) -> Result<Json<InboundView>, ApiError> {
    let input: AssignInput = body.parse()?;
    let creator = input
        .creator_id
        .parse()
        .map_err(|_| rapport_core::Invalid::one("creator_id", "is not a creator in this workspace"))?;
    Ok(Json(inbound::assign(&s.app, &ctx, path_id(&msg)?, creator).await?))
}

/// Dismiss a message from the review inbox.
#[utoipa::path(post, path = "/inbound/{msg}/dismiss", tag = "email", params(("msg" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = InboundView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn dismiss_inbound(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(msg): Path<String>,
) -> Result<Json<InboundView>, ApiError> {
    Ok(Json(inbound::dismiss(&s.app, &ctx, path_id(&msg)?).await?))
}

/// The IMAP mailbox polled for replies (the password is never returned).
#[utoipa::path(get, path = "/settings/mailbox", tag = "email", security(("api_key" = [])),
    responses((status = 200, body = MailboxView)))]
pub async fn show_mailbox(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<MailboxView>, ApiError> {
    Ok(Json(inbound::get_mailbox(&s.app, &ctx).await?))
}

/// Set the IMAP mailbox. Changing the server, user or folder reads it from the start
/// (already received Message-IDs are skipped).
#[utoipa::path(put, path = "/settings/mailbox", tag = "email", request_body = MailboxInput, security(("api_key" = [])),
    responses((status = 200, body = MailboxView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_mailbox(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<Json<MailboxView>, ApiError> {
    let input: MailboxInput = body.parse()?;
    Ok(Json(inbound::put_mailbox(&s.app, &ctx, input).await?))
}

/// Stop polling: forget the mailbox.
#[utoipa::path(delete, path = "/settings/mailbox", tag = "email", security(("api_key" = [])),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn delete_mailbox(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<StatusCode, ApiError> {
    inbound::delete_mailbox(&s.app, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
