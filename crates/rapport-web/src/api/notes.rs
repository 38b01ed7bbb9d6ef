//! `/api/v1/creators/{id}/notes`.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use rapport_app::notes::{self, NoteInput, NoteView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/notes", get(list_notes).post(create_note))
        .route("/creators/{id}/notes/{note}", delete(delete_note))
}

/// A creator's notes, newest first.
#[utoipa::path(get, path = "/creators/{id}/notes", tag = "notes", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<NoteView>), (status = 404, body = ErrorBody)))]
pub async fn list_notes(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<NoteView>>, ApiError> {
    Ok(Json(notes::list(&s.app, &ctx, path_id(&id)?).await?))
}

/// Add a note.
#[utoipa::path(post, path = "/creators/{id}/notes", tag = "notes", params(("id" = String, Path)),
    request_body = NoteInput, security(("api_key" = [])),
    responses((status = 201, body = NoteView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_note(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<NoteView>), ApiError> {
    let input: NoteInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(notes::add(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// Delete a note.
#[utoipa::path(delete, path = "/creators/{id}/notes/{note}", tag = "notes",
    params(("id" = String, Path), ("note" = String, Path)), security(("api_key" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_note(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((id, note)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    notes::delete(&s.app, &ctx, path_id(&id)?, path_id(&note)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
