//! `/api/v1/duplicates` and merging: likely duplicate pairs with reasons, merging one
//! creator into another field by field, and undoing a merge.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::merges::{self, DuplicateList, MergeId, MergeInput, MergeView};
use rapport_core::Invalid;
use rapport_core::ids::CreatorId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/duplicates", get(list_duplicates))
        .route("/creators/{id}/merge", post(merge_creator))
        .route("/merges/{id}", get(show_merge))
        .route("/merges/{id}/undo", post(undo_merge))
}

/// Likely duplicates among live creators, strongest first: a shared email, phone or
/// website, the same handle (on different platforms: only "similar"), or a similar name in
/// the same country. At most 500 pairs; `truncated` and `note` say when the check was partial.
#[utoipa::path(get, path = "/duplicates", tag = "merges", security(("api_key" = [])),
    responses((status = 200, body = DuplicateList)))]
pub async fn list_duplicates(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<DuplicateList>, ApiError> {
    Ok(Json(merges::candidates(&s.app, &ctx).await?))
}

/// Merge `loser_id` into `{id}` (the survivor). `choices` picks, per field, whose value
/// stays (`survivor` or `loser`; by default the survivor's unless only the loser has one);
/// languages, niches, tags and contact points are unioned, do-not-contact is kept if either
/// has it. Every account (with its history), note, timeline event and shortlist membership
/// moves to the survivor; the loser is deleted, its full state kept for undo.
#[utoipa::path(post, path = "/creators/{id}/merge", tag = "merges", params(("id" = String, Path, description = "the survivor")),
    request_body = MergeInput, security(("api_key" = [])),
    responses((status = 201, body = MergeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge_creator(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<MergeView>), ApiError> {
    let survivor: CreatorId = path_id(&id)?;
    let input: MergeInput = body.parse()?;
    let loser: CreatorId =
        input.loser_id.parse().map_err(|e: rapport_core::ids::BadId| Invalid::one("loser_id", e.to_string()))?;
    Ok((StatusCode::CREATED, Json(merges::merge(&s.app, &ctx, survivor, loser, input.choices).await?)))
}

/// One merge of the merge log.
#[utoipa::path(get, path = "/merges/{id}", tag = "merges", params(("id" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = MergeView), (status = 404, body = ErrorBody)))]
pub async fn show_merge(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<MergeView>, ApiError> {
    Ok(Json(merges::get(&s.app, &ctx, path_id::<MergeId>(&id)?).await?))
}

/// Undo a merge: the survivor's profile from before the merge comes back, the loser is
/// recreated and exactly the records moved go back to it. Edits to the survivor since the
/// merge are overridden and listed in `warnings`; 409 when already undone or when another
/// creator was merged into the survivor later (undo that first).
#[utoipa::path(post, path = "/merges/{id}/undo", tag = "merges", params(("id" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = MergeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn undo_merge(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<MergeView>, ApiError> {
    Ok(Json(merges::undo(&s.app, &ctx, path_id::<MergeId>(&id)?).await?))
}
