//! `/api/v1/creators`: list (filters, sort, cursor), create, read, patch, delete, restore;
//! the creator's timeline; the workspace's tags.

use super::{JsonBody, path_id};
use crate::auth::{ApiCtx, ApiListCtx};
use crate::error::{ApiError, ErrorBody};
use crate::params::Params;
use crate::state::AppState;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::creators::{self, CreatorPage, CreatorQuery, CreatorView, TagCount};
use rapport_app::timeline::{self, EventPage};
use rapport_core::creators::CreatorInput;
use rapport_core::ids::CreatorId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators", get(list_creators).post(create_creator))
        .route("/creators/export", get(export_creators))
        .route("/creators/{id}", get(show_creator).patch(update_creator).delete(delete_creator))
        .route("/creators/{id}/restore", post(restore_creator))
        .route("/creators/{id}/timeline", get(creator_timeline))
        .route("/tags", get(list_tags))
}

/// List creators.
#[utoipa::path(get, path = "/creators", tag = "creators", params(CreatorQuery),
    security(("api_key" = [])),
    responses((status = 200, body = CreatorPage), (status = 422, body = ErrorBody)))]
pub async fn list_creators(
    State(s): State<AppState>,
    ApiListCtx(ctx, basis): ApiListCtx,
    RawQuery(raw): RawQuery,
    Params(q): Params<CreatorQuery>,
) -> Result<Json<CreatorPage>, ApiError> {
    creators::check_parameters(raw.as_deref().unwrap_or(""), &[])?;
    Ok(Json(creators::list_from(&s.app, &ctx, basis, &q).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportFormat {
    /// `csv` (default) or `json`.
    pub format: Option<String>,
}

/// Export every creator matching the list filters, in the list's sort, as CSV (a stable
/// header: base fields, then handle, followers, average views and engagement per platform,
/// other accounts, and a `custom.<name>` column per custom field) or JSON. Every match is
/// written: `cursor`, `limit`, `facets` and `total` are checked as a listing checks them
/// but do not narrow the file. Do-not-contact creators are left out unless `dnc=include`
/// (as in the listing; `rapport export` includes them by default).
#[utoipa::path(get, path = "/creators/export", tag = "creators", params(ExportFormat, CreatorQuery),
    security(("api_key" = [])),
    responses((status = 200, content_type = "text/csv", description = "The file"), (status = 422, body = ErrorBody)))]
pub async fn export_creators(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(f): Query<ExportFormat>,
    RawQuery(raw): RawQuery,
    Params(q): Params<CreatorQuery>,
) -> Result<axum::response::Response, ApiError> {
    creators::check_parameters(raw.as_deref().unwrap_or(""), &["format"])?;
    let format = rapport_app::export::Format::parse(f.format.as_deref().unwrap_or(""))?;
    Ok(crate::download::creators(s.app.clone(), ctx, q, format).await?)
}

/// Create a creator, optionally with social accounts (one transaction).
#[utoipa::path(post, path = "/creators", tag = "creators", request_body = CreatorInput,
    security(("api_key" = [])),
    responses((status = 201, body = CreatorView), (status = 409, body = ErrorBody, description = "Same email or platform handle exists"),
        (status = 422, body = ErrorBody)))]
pub async fn create_creator(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<(StatusCode, Json<CreatorView>), ApiError> {
    let input: CreatorInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(creators::create(&s.app, &ctx, input).await?)))
}

/// Read a creator (also a soft-deleted one, with `deleted_at` set), with its fit score
/// against the brand profile and the quality flags of its accounts, each explained.
#[utoipa::path(get, path = "/creators/{id}", tag = "creators", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = CreatorView), (status = 404, body = ErrorBody)))]
pub async fn show_creator(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<CreatorView>, ApiError> {
    Ok(Json(creators::get_with_insights(&s.app, &ctx, path_id(&id)?).await?))
}

/// Change a creator with a JSON merge patch of the editable fields.
#[utoipa::path(patch, path = "/creators/{id}", tag = "creators", params(("id" = String, Path)),
    request_body = CreatorInput, security(("api_key" = [])),
    responses((status = 200, body = CreatorView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_creator(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CreatorView>, ApiError> {
    Ok(Json(creators::patch(&s.app, &ctx, path_id(&id)?, body.0).await?))
}

/// Soft-delete a creator (restorable).
#[utoipa::path(delete, path = "/creators/{id}", tag = "creators", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_creator(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    creators::delete(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restore a soft-deleted creator.
#[utoipa::path(post, path = "/creators/{id}/restore", tag = "creators", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = CreatorView), (status = 404, body = ErrorBody)))]
pub async fn restore_creator(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<CreatorView>, ApiError> {
    Ok(Json(creators::restore(&s.app, &ctx, path_id(&id)?).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// `next_cursor` of the previous page.
    pub before: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The creator's timeline, newest first, with before/after diffs.
#[utoipa::path(get, path = "/creators/{id}/timeline", tag = "creators", params(("id" = String, Path), TimelineQuery),
    security(("api_key" = [])), responses((status = 200, body = EventPage), (status = 404, body = ErrorBody)))]
pub async fn creator_timeline(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<EventPage>, ApiError> {
    let id: CreatorId = path_id(&id)?;
    let page = timeline::list_for_creator(&s.app, &ctx, id, q.before.as_deref(), q.limit.unwrap_or(50)).await?;
    Ok(Json(page))
}

/// Tags in use, with how many creators carry each.
#[utoipa::path(get, path = "/tags", tag = "creators", security(("api_key" = [])),
    responses((status = 200, body = Vec<TagCount>)))]
pub async fn list_tags(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<Vec<TagCount>>, ApiError> {
    Ok(Json(creators::tags(&s.app, &ctx).await?))
}
