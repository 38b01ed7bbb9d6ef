//! `/api/v1/notifications`: the calling member's notifications in the key's workspace. An
//! API key acts for the member who created it; a key created by no member gets 403.

use super::path_id;
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::notifications::{self, MarkedRead, NotificationQuery, NotificationView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list_notifications))
        .route("/notifications/read-all", post(read_all_notifications))
        .route("/notifications/{id}/read", post(read_notification))
}

/// The caller's notifications, unread first (`?unread=true` for only those).
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationQuery),
    security(("api_key" = [])),
    responses((status = 200, body = Vec<NotificationView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_notifications(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<NotificationQuery>,
) -> Result<Json<Vec<NotificationView>>, ApiError> {
    Ok(Json(notifications::list(&s.app, &ctx, &q).await?))
}

/// Mark one of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = NotificationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn read_notification(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<NotificationView>, ApiError> {
    Ok(Json(notifications::mark_read(&s.app, &ctx, path_id(&id)?).await?))
}

/// Mark all of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", security(("api_key" = [])),
    responses((status = 200, body = MarkedRead), (status = 403, body = ErrorBody)))]
pub async fn read_all_notifications(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<MarkedRead>, ApiError> {
    Ok(Json(notifications::mark_all_read(&s.app, &ctx).await?))
}
