//! `/api/v1/files`: upload a file (multipart, field `file`), read its metadata and its bytes.

use super::path_id;
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::files::file_response;
use crate::pages::upload;
use crate::state::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::files::{self, FileView};
use rapport_core::Invalid;

pub fn router() -> Router<AppState> {
    Router::new()
        // The upload reader bounds the body itself, to the configured largest file.
        .route("/files", post(upload_file).layer(DefaultBodyLimit::disable()))
        .route("/files/{id}", get(show_file).delete(delete_file))
        .route("/files/{id}/content", get(file_content))
}

/// A multipart upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FileUpload {
    /// The file. Its type is sniffed from the bytes; HTML, SVG, XML and unrecognised
    /// kinds are refused.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Upload a file (`multipart/form-data`, field `file`). The type is decided from the bytes,
/// never from the name or the part's `Content-Type`.
#[utoipa::path(post, path = "/files", tag = "files", request_body(content = FileUpload, content_type = "multipart/form-data"),
    security(("api_key" = [])),
    responses((status = 201, body = FileView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`file` missing, empty, too large or of a refused type")))]
pub async fn upload_file(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<FileView>), ApiError> {
    // Refuse a read-only caller before reading a possibly large body.
    ctx.require_write()?;
    let mut multipart =
        multipart.map_err(|_| Invalid::one("file", "is required: send multipart/form-data with a field `file`"))?;
    let max = usize::try_from(s.app.config.files.max_bytes).unwrap_or(usize::MAX);
    let form = upload::read_with(&mut multipart, max, ", the largest file accepted").await?;
    if form.bytes.is_empty() && form.file_name.is_empty() {
        return Err(Invalid::one("file", "is required: send the file in a multipart field `file`").into());
    }
    let view = files::save(&s.app, &ctx, &form.file_name, form.bytes).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A file's metadata.
#[utoipa::path(get, path = "/files/{id}", tag = "files", params(("id" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = FileView), (status = 404, body = ErrorBody)))]
pub async fn show_file(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<FileView>, ApiError> {
    Ok(Json(files::show(&s.app, &ctx, path_id(&id)?).await?))
}

/// Delete a file: it is no longer found (the stored bytes stay, as identical uploads
/// share them).
#[utoipa::path(delete, path = "/files/{id}", tag = "files", params(("id" = String, Path)), security(("api_key" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_file(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    files::delete(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A file's bytes. Raster images, video and audio may show inline; everything else is a
/// download; a sandbox CSP and `nosniff` keep the browser from running anything in it.
#[utoipa::path(get, path = "/files/{id}/content", tag = "files", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, description = "The bytes, with the sniffed `Content-Type`"), (status = 404, body = ErrorBody)))]
pub async fn file_content(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (view, bytes) = files::read(&s.app, &ctx, path_id(&id)?).await?;
    Ok(file_response(&view, bytes))
}
