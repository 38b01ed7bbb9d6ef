//! `/api/v1/settings/email` (the workspace's SMTP server) and `/api/v1/me/sender`.

use super::JsonBody;
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rapport_app::mail_settings::{self, MailSettingsView, SenderInput, SenderView};
use rapport_core::outbox::SettingsInput;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/email", get(show_mail_settings).put(replace_mail_settings))
        .route("/me/sender", get(show_sender).put(replace_sender))
}

/// The workspace's SMTP server; the password is never returned (`password_set` says whether
/// one is stored).
#[utoipa::path(get, path = "/settings/email", tag = "email", security(("api_key" = [])),
    responses((status = 200, body = MailSettingsView)))]
pub async fn show_mail_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<MailSettingsView>, ApiError> {
    Ok(Json(mail_settings::get(&s.app, &ctx).await?))
}

/// Set the SMTP server. Leave `password` out to keep the stored one; `""` removes it.
#[utoipa::path(put, path = "/settings/email", tag = "email", request_body = Object, security(("api_key" = [])),
    responses((status = 200, body = MailSettingsView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_mail_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<Json<MailSettingsView>, ApiError> {
    let input: SettingsInput = body.parse()?;
    Ok(Json(mail_settings::put(&s.app, &ctx, input).await?))
}

/// The caller's sender identity (people only).
#[utoipa::path(get, path = "/me/sender", tag = "email", security(("api_key" = [])),
    responses((status = 200, body = SenderView), (status = 403, body = ErrorBody)))]
pub async fn show_sender(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<SenderView>, ApiError> {
    Ok(Json(mail_settings::my_sender(&s.app, &ctx).await?))
}

/// Set the caller's sender identity (people only).
#[utoipa::path(put, path = "/me/sender", tag = "email", request_body = SenderInput, security(("api_key" = [])),
    responses((status = 200, body = SenderView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_sender(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<Json<SenderView>, ApiError> {
    let input: SenderInput = body.parse()?;
    Ok(Json(mail_settings::put_my_sender(&s.app, &ctx, input).await?))
}
