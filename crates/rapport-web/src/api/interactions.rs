//! `/api/v1/creators/{id}/interactions`, `/api/v1/interactions/{id}`,
//! `/api/v1/creators/{id}/responsiveness` and the workspace feed `/api/v1/activity`.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use rapport_app::interactions::{
    self, InteractionInput, InteractionPage, InteractionQuery, InteractionView, ResponsivenessView,
};
use rapport_app::timeline::{self, ActivityPage, ActivityQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/interactions", get(list_interactions).post(log_interaction))
        .route("/creators/{id}/responsiveness", get(creator_responsiveness))
        .route("/interactions/{interaction}", delete(delete_interaction))
        .route("/activity", get(list_activity))
}

/// A creator's interactions, newest first by when they happened.
#[utoipa::path(get, path = "/creators/{id}/interactions", tag = "interactions",
    params(("id" = String, Path), InteractionQuery), security(("api_key" = [])),
    responses((status = 200, body = InteractionPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_interactions(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Query(q): Query<InteractionQuery>,
) -> Result<Json<InteractionPage>, ApiError> {
    Ok(Json(interactions::list(&s.app, &ctx, path_id(&id)?, &q).await?))
}

/// Log an email, DM, call or meeting with a creator (never in the future).
#[utoipa::path(post, path = "/creators/{id}/interactions", tag = "interactions", params(("id" = String, Path)),
    request_body = InteractionInput, security(("api_key" = [])),
    responses((status = 201, body = InteractionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn log_interaction(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<InteractionView>), ApiError> {
    let id = path_id(&id)?;
    let input: InteractionInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(interactions::log(&s.app, &ctx, id, input).await?)))
}

/// Delete an interaction.
#[utoipa::path(delete, path = "/interactions/{interaction}", tag = "interactions",
    params(("interaction" = String, Path)), security(("api_key" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_interaction(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(interaction): Path<String>,
) -> Result<StatusCode, ApiError> {
    interactions::delete(&s.app, &ctx, path_id(&interaction)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A creator's last contact, median reply times (theirs and ours) and next touch, computed
/// from the interactions: a creator reply is timed from the first of our unanswered messages
/// to their answer, ours likewise; the figures are medians.
#[utoipa::path(get, path = "/creators/{id}/responsiveness", tag = "interactions", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = ResponsivenessView), (status = 404, body = ErrorBody)))]
pub async fn creator_responsiveness(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<ResponsivenessView>, ApiError> {
    Ok(Json(interactions::responsiveness(&s.app, &ctx, path_id(&id)?).await?))
}

/// The workspace activity feed: every timeline event, newest first, with its creator.
#[utoipa::path(get, path = "/activity", tag = "activity", params(ActivityQuery), security(("api_key" = [])),
    responses((status = 200, body = ActivityPage), (status = 422, body = ErrorBody)))]
pub async fn list_activity(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<ActivityQuery>,
) -> Result<Json<ActivityPage>, ApiError> {
    Ok(Json(timeline::activity(&s.app, &ctx, &q).await?))
}
