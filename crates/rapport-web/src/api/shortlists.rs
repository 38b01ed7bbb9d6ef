//! `/api/v1/shortlists`: saved searches and hand-picked lists, with bulk membership.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::shortlists::{self, MembersInput, ShortlistInput, ShortlistView};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shortlists", get(list_shortlists).post(create_shortlist))
        .route("/shortlists/{id}", get(show_shortlist).patch(update_shortlist).delete(delete_shortlist))
        .route("/shortlists/{id}/members", post(add_members).delete(remove_members))
}

/// All shortlists of the workspace.
#[utoipa::path(get, path = "/shortlists", tag = "shortlists", security(("api_key" = [])),
    responses((status = 200, body = Vec<ShortlistView>)))]
pub async fn list_shortlists(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Vec<ShortlistView>>, ApiError> {
    Ok(Json(shortlists::list(&s.app, &ctx).await?))
}

/// Save a search (`kind: saved_search` with its list query) or start a hand-picked list.
#[utoipa::path(post, path = "/shortlists", tag = "shortlists", request_body = ShortlistInput, security(("api_key" = [])),
    responses((status = 201, body = ShortlistView), (status = 422, body = ErrorBody)))]
pub async fn create_shortlist(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<(StatusCode, Json<ShortlistView>), ApiError> {
    let input: ShortlistInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(shortlists::create(&s.app, &ctx, input).await?)))
}

/// One shortlist. List a static list's creators with `GET /creators?shortlist={id}`, a saved
/// search's with its `query`.
#[utoipa::path(get, path = "/shortlists/{id}", tag = "shortlists", params(("id" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = ShortlistView), (status = 404, body = ErrorBody)))]
pub async fn show_shortlist(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<ShortlistView>, ApiError> {
    Ok(Json(shortlists::get(&s.app, &ctx, path_id(&id)?).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameInput {
    pub name: Option<String>,
}

/// Rename a shortlist.
#[utoipa::path(patch, path = "/shortlists/{id}", tag = "shortlists", params(("id" = String, Path)), request_body = RenameInput,
    security(("api_key" = [])), responses((status = 200, body = ShortlistView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_shortlist(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<ShortlistView>, ApiError> {
    let input: RenameInput = body.parse()?;
    Ok(Json(shortlists::rename(&s.app, &ctx, path_id(&id)?, input.name.as_deref().unwrap_or("")).await?))
}

/// Delete a shortlist (the creators stay).
#[utoipa::path(delete, path = "/shortlists/{id}", tag = "shortlists", params(("id" = String, Path)), security(("api_key" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_shortlist(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    shortlists::delete(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MembersChanged {
    pub changed: u64,
}

/// Add creators to a hand-picked list: by id, or every result of a list query (≤ 5 000).
#[utoipa::path(post, path = "/shortlists/{id}/members", tag = "shortlists", params(("id" = String, Path)), request_body = MembersInput,
    security(("api_key" = [])), responses((status = 200, body = MembersChanged), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_members(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<MembersChanged>, ApiError> {
    let input: MembersInput = body.parse()?;
    Ok(Json(MembersChanged { changed: shortlists::add(&s.app, &ctx, path_id(&id)?, input).await? }))
}

/// Remove creators from a hand-picked list.
#[utoipa::path(delete, path = "/shortlists/{id}/members", tag = "shortlists", params(("id" = String, Path)), request_body = MembersInput,
    security(("api_key" = [])), responses((status = 200, body = MembersChanged), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_members(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<MembersChanged>, ApiError> {
    let input: MembersInput = body.parse()?;
    Ok(Json(MembersChanged { changed: shortlists::remove(&s.app, &ctx, path_id(&id)?, input).await? }))
}
