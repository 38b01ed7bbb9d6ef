//! `/api/v1/calendar` and `/api/v1/calendar/feeds`: the content calendar's entries (draft
//! due dates and publish windows) and the iCalendar feeds behind secret URLs.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use rapport_app::calendar::{self, CalendarQuery, CalendarView, FeedInput, FeedView, NewFeed};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(show_calendar))
        .route("/calendar/feeds", get(list_feeds).post(create_feed))
        .route("/calendar/feeds/{id}", delete(revoke_feed))
}

/// The draft due dates and publish windows overlapping a period, of the whole workspace,
/// one campaign and/or one creator, each with its deliverable's status and an overdue flag.
#[utoipa::path(get, path = "/calendar", tag = "calendar", params(CalendarQuery), security(("api_key" = [])),
    responses((status = 200, body = CalendarView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn show_calendar(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<CalendarQuery>,
) -> Result<Json<CalendarView>, ApiError> {
    Ok(Json(calendar::entries(&s.app, &ctx, &q).await?))
}

/// The workspace's calendar feeds, newest first (revoked ones included; secrets never shown).
#[utoipa::path(get, path = "/calendar/feeds", tag = "calendar", security(("api_key" = [])),
    responses((status = 200, body = Vec<FeedView>)))]
pub async fn list_feeds(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<Vec<FeedView>>, ApiError> {
    Ok(Json(calendar::feeds(&s.app, &ctx).await?))
}

/// Create an iCalendar feed of the workspace, one campaign or one creator. Its URL
/// (`path`, to prefix with the server's address) is shown only here.
#[utoipa::path(post, path = "/calendar/feeds", tag = "calendar", request_body = FeedInput, security(("api_key" = [])),
    responses((status = 201, body = NewFeed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_feed(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<(StatusCode, Json<NewFeed>), ApiError> {
    let input: FeedInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(calendar::create_feed(&s.app, &ctx, input).await?)))
}

/// Revoke a feed at once: its URL answers 404 from then on.
#[utoipa::path(delete, path = "/calendar/feeds/{id}", tag = "calendar", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_feed(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    calendar::revoke_feed(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
