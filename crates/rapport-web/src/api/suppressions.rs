//! `/api/v1/suppressions`: addresses no email from the workspace may go to.

use super::JsonBody;
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use rapport_app::suppressions::{self, SuppressionInput, SuppressionView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/suppressions", get(list_suppressions).post(add_suppression))
        .route("/suppressions/{email}", delete(remove_suppression))
}

/// The suppression list, newest first.
#[utoipa::path(get, path = "/suppressions", tag = "email", security(("api_key" = [])),
    responses((status = 200, body = Vec<SuppressionView>)))]
pub async fn list_suppressions(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Vec<SuppressionView>>, ApiError> {
    Ok(Json(suppressions::list(&s.app, &ctx).await?))
}

/// Suppress an address by hand (idempotent: the first entry stays).
#[utoipa::path(post, path = "/suppressions", tag = "email", request_body = SuppressionInput, security(("api_key" = [])),
    responses((status = 201, body = SuppressionView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_suppression(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<(StatusCode, Json<SuppressionView>), ApiError> {
    let input: SuppressionInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(suppressions::add(&s.app, &ctx, input).await?)))
}

/// Take an address off the list.
#[utoipa::path(delete, path = "/suppressions/{email}", tag = "email", params(("email" = String, Path)),
    security(("api_key" = [])), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_suppression(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    suppressions::remove(&s.app, &ctx, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}
