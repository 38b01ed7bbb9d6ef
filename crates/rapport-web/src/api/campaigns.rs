//! `/api/v1/campaigns`: create, list, show, patch, delete and restore campaigns, and move
//! them through their statuses.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::campaigns::{self, CampaignQuery, CampaignView, StatusInput};
use rapport_core::campaigns::CampaignInput;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_campaigns).post(create_campaign))
        .route("/campaigns/{id}", get(show_campaign).patch(update_campaign).delete(delete_campaign))
        .route("/campaigns/{id}/status", post(set_campaign_status))
        .route("/campaigns/{id}/restore", post(restore_campaign))
}

/// Campaigns, newest first, optionally of one status (or the deleted ones).
#[utoipa::path(get, path = "/campaigns", tag = "campaigns", params(CampaignQuery), security(("api_key" = [])),
    responses((status = 200, body = Vec<CampaignView>), (status = 422, body = ErrorBody)))]
pub async fn list_campaigns(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<CampaignQuery>,
) -> Result<Json<Vec<CampaignView>>, ApiError> {
    Ok(Json(campaigns::list(&s.app, &ctx, &q).await?))
}

/// Create a campaign (in `draft`).
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", request_body = CampaignInput, security(("api_key" = [])),
    responses((status = 201, body = CampaignView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_campaign(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<(StatusCode, Json<CampaignView>), ApiError> {
    let input: CampaignInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(campaigns::create(&s.app, &ctx, input).await?)))
}

/// A campaign with its team and budget (committed and remaining).
#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody)))]
pub async fn show_campaign(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(campaigns::get(&s.app, &ctx, path_id(&id)?).await?))
}

/// Change a campaign (JSON merge patch; `null` clears a field).
#[utoipa::path(patch, path = "/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    request_body = CampaignInput, security(("api_key" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_campaign(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(campaigns::patch(&s.app, &ctx, path_id(&id)?, body.0).await?))
}

/// Delete a campaign (it can be restored).
#[utoipa::path(delete, path = "/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_campaign(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    campaigns::delete(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restore a deleted campaign.
#[utoipa::path(post, path = "/campaigns/{id}/restore", tag = "campaigns", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn restore_campaign(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(campaigns::restore(&s.app, &ctx, path_id(&id)?).await?))
}

/// Move a campaign to its next status (draft → active → completed → archived); any other
/// move is a 409 naming the allowed statuses.
#[utoipa::path(post, path = "/campaigns/{id}/status", tag = "campaigns", params(("id" = String, Path)),
    request_body = StatusInput, security(("api_key" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_campaign_status(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CampaignView>, ApiError> {
    let input: StatusInput = body.parse()?;
    Ok(Json(campaigns::set_status(&s.app, &ctx, path_id(&id)?, input).await?))
}
