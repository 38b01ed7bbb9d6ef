//! `/api/v1/imports`: CSV imports of creators, as the import page runs them — upload (the
//! mapping suggested from the header), change the mode, match key or mapping, a dry run,
//! run in the background and watch its progress, the failed rows as CSV, undo.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::pages::upload;
use crate::state::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::imports::{self, JobSettings, JobView, MAX_FILE_BYTES, PlannedRow, Preview, Source};
use rapport_core::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/imports", get(list_imports).post(upload_import).layer(DefaultBodyLimit::disable()))
        .route("/imports/{id}", get(show_import).put(configure_import).delete(discard_import))
        .route("/imports/{id}/preview", get(preview_import))
        .route("/imports/{id}/run", post(run_import))
        .route("/imports/{id}/undo", post(undo_import))
        .route("/imports/{id}/errors", get(import_errors))
}

/// An import and where it stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportJob {
    /// `imp_…`
    pub id: String,
    pub file_name: String,
    /// `previewed` (not run yet: settings can change), `running`, `completed`, `failed`
    /// (stopped by an error of the system), `undoing`, `undone`.
    pub status: String,
    /// `create`, `update` or `upsert`.
    pub mode: String,
    /// `email`, `email_or_handle`, `handle` or `id`.
    pub match_key: String,
    /// The platform of handles whose row names none.
    pub default_platform: Option<String>,
    /// One target per column of the file, in order (`display_name`, `email`,
    /// `instagram_followers`, `ignore`, …); the preview shows each with its header.
    pub mapping: Vec<String>,
    /// Data rows in the file.
    pub rows: i64,
    /// Rows processed so far.
    pub rows_done: i64,
    /// Of rows processed (or, while undoing, of rows undone).
    pub percent: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    /// Rows whose writes have been undone.
    pub rows_undone: i64,
    pub can_undo: bool,
    /// Why the import stopped, or what its undo could not do.
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
}

impl From<JobView> for ImportJob {
    fn from(j: JobView) -> Self {
        ImportJob {
            id: j.id.to_string(),
            can_undo: j.can_undo(),
            percent: j.percent(),
            file_name: j.file_name,
            status: j.status.slug().into(),
            mode: j.mode.slug().into(),
            match_key: j.match_key.slug().into(),
            default_platform: j.default_platform.map(|p| p.slug().to_string()),
            mapping: j.mapping,
            rows: j.total,
            rows_done: j.rows_done,
            created: j.counts.created,
            updated: j.counts.updated,
            unchanged: j.counts.unchanged,
            failed: j.counts.failed,
            rows_undone: j.rows_undone,
            error: j.error,
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportList {
    /// Newest first (the latest 200).
    pub items: Vec<ImportJob>,
}

/// A column of the file and where it goes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportColumn {
    pub index: usize,
    /// The spreadsheet letter: A, B, …
    pub letter: String,
    pub header: String,
    /// The target key (as in `mapping`).
    pub target: String,
    pub target_label: String,
    /// Values from the first rows.
    pub samples: Vec<String>,
}

/// What importing a row would do.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportRowPlan {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: i64,
    /// `created`, `updated`, `unchanged` or `failed`.
    pub outcome: String,
    pub name: String,
    /// The existing creator it updates or leaves unchanged.
    pub creator_id: Option<String>,
    /// What an update changes.
    pub changes: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
}

impl From<&PlannedRow> for ImportRowPlan {
    fn from(r: &PlannedRow) -> Self {
        ImportRowPlan {
            row: r.number,
            outcome: r.outcome.slug().into(),
            name: r.name.clone(),
            creator_id: r.creator.map(|c| c.to_string()),
            changes: r.changes.clone(),
            errors: r.errors.clone(),
        }
    }
}

/// The dry run: every row planned against the workspace as it is; nothing is written.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportPreview {
    pub columns: Vec<ImportColumn>,
    /// What is wrong with the settings (`mapping.{column}`, `match_key`): the import cannot
    /// run until this is empty.
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<FieldError>,
    pub warnings: Vec<String>,
    pub rows: usize,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    /// The first rows, whatever their outcome.
    pub first_rows: Vec<ImportRowPlan>,
    /// The first rows that would fail.
    pub failures: Vec<ImportRowPlan>,
}

impl From<Preview> for ImportPreview {
    fn from(p: Preview) -> Self {
        ImportPreview {
            columns: p
                .columns
                .into_iter()
                .map(|c| ImportColumn {
                    index: c.index,
                    letter: c.letter,
                    header: c.header,
                    target: c.target.key(),
                    target_label: c.target.label(),
                    samples: c.samples,
                })
                .collect(),
            problems: p.problems,
            warnings: p.warnings,
            rows: p.total,
            created: p.planned.created,
            updated: p.planned.updated,
            unchanged: p.planned.unchanged,
            failed: p.planned.failed,
            first_rows: p.rows.iter().map(ImportRowPlan::from).collect(),
            failures: p.failures.iter().map(ImportRowPlan::from).collect(),
        }
    }
}

/// A multipart upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The CSV file (UTF-8 or Windows-1252; `,`, `;` or tab separated), at most 20 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `create` (default), `update` or `upsert`.
    mode: Option<String>,
    /// `email`, `email_or_handle`, `handle` or `id`; suggested from the mapping when left out.
    match_key: Option<String>,
    /// The platform of handles whose row names none.
    default_platform: Option<String>,
}

/// The settings of an import that has not run; a field left out keeps its value.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportSettings {
    pub mode: Option<String>,
    pub match_key: Option<String>,
    pub default_platform: Option<String>,
    /// One target key per column; missing columns are not imported.
    pub mapping: Option<Vec<String>>,
}

fn job_id(id: &str) -> Result<rapport_core::import::ImportJobId, ApiError> {
    path_id(id)
}

/// The workspace's imports, newest first.
#[utoipa::path(get, path = "/imports", tag = "imports", security(("api_key" = [])),
    responses((status = 200, body = ImportList), (status = 403, body = ErrorBody)))]
pub async fn list_imports(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<ImportList>, ApiError> {
    let items = imports::list(&s.app, &ctx).await?.into_iter().map(ImportJob::from).collect();
    Ok(Json(ImportList { items }))
}

/// Upload a CSV file (`multipart/form-data`: `file`, and optionally `mode`, `match_key`,
/// `default_platform`). Nothing is imported yet: the import waits with a mapping suggested from
/// the header, to be checked with the preview, changed, and run.
#[utoipa::path(post, path = "/imports", tag = "imports",
    request_body(content = ImportUpload, content_type = "multipart/form-data"), security(("api_key" = [])),
    responses((status = 201, body = ImportJob), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`file` missing, empty, too large or unreadable; a bad setting")))]
pub async fn upload_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportJob>), ApiError> {
    // Refuse a read-only caller before reading a possibly large body.
    ctx.require_write()?;
    let mut multipart =
        multipart.map_err(|_| Invalid::one("file", "is required: send multipart/form-data with a field `file`"))?;
    let form = upload::read(&mut multipart, MAX_FILE_BYTES).await?;
    if form.bytes.is_empty() && form.file_name.is_empty() {
        return Err(Invalid::one("file", "is required: send the CSV file in a multipart field `file`").into());
    }
    let settings = settings_of(form.field("mode"), form.field("match_key"), form.field("default_platform"))?;
    let job = imports::start(&s.app, &ctx, Source::Upload, &form.file_name, &form.bytes, settings).await?;
    Ok((StatusCode::CREATED, Json(job.into())))
}

/// An import: its settings, status, progress and counts.
#[utoipa::path(get, path = "/imports/{id}", tag = "imports", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = ImportJob), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<ImportJob>, ApiError> {
    Ok(Json(imports::get(&s.app, &ctx, job_id(&id)?).await?.into()))
}

/// Change the mode, match key, default platform or mapping of an import that has not run
/// (409 once it has).
#[utoipa::path(put, path = "/imports/{id}", tag = "imports", params(("id" = String, Path)),
    request_body = ImportSettings, security(("api_key" = [])),
    responses((status = 200, body = ImportJob), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn configure_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<ImportJob>, ApiError> {
    let id = job_id(&id)?;
    let input: ImportSettings = body.parse()?;
    let current = imports::get(&s.app, &ctx, id).await?;
    let mode = input.mode.unwrap_or_else(|| current.mode.slug().into());
    let key = input.match_key.unwrap_or_else(|| current.match_key.slug().into());
    let platform = input.default_platform.unwrap_or_else(|| current.default_platform.map_or("", |p| p.slug()).into());
    let mut settings = settings_of(&mode, &key, &platform)?;
    settings.mapping = input.mapping;
    Ok(Json(imports::configure(&s.app, &ctx, id, settings).await?.into()))
}

/// The settings from their text, each bad one named as the API names it.
fn settings_of(mode: &str, key: &str, platform: &str) -> Result<JobSettings, Invalid> {
    let mut e = Invalid::new();
    let settings = JobSettings::from_text(mode, key, platform, &mut e);
    for f in &mut e.errors {
        if f.field == "platform" {
            f.field = "default_platform".into();
        }
    }
    e.into_result(settings)
}

/// The dry run of an import with its current settings: every row planned, nothing written.
#[utoipa::path(get, path = "/imports/{id}/preview", tag = "imports", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = ImportPreview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn preview_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<ImportPreview>, ApiError> {
    Ok(Json(imports::job_preview(&s.app, &ctx, job_id(&id)?, None).await?.into()))
}

/// Run an import in the background (202); follow it with `GET /imports/{id}`. Refused
/// (422, each problem named) while the preview lists problems, 409 once it has run.
#[utoipa::path(post, path = "/imports/{id}/run", tag = "imports", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 202, body = ImportJob), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn run_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ImportJob>), ApiError> {
    let id = job_id(&id)?;
    let job = imports::launch(&s.app, &ctx, id).await?;
    imports::spawn_run(s.app.clone(), ctx, id);
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

/// Undo an import in the background (202): the creators it created are deleted and the
/// ones it updated put back as they were.
#[utoipa::path(post, path = "/imports/{id}/undo", tag = "imports", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 202, body = ImportJob), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn undo_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ImportJob>), ApiError> {
    let id = job_id(&id)?;
    let job = imports::begin_undo(&s.app, &ctx, id).await?;
    imports::spawn_undo(s.app.clone(), ctx, id);
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

/// Discard an import that has not run (its stored file goes with it).
#[utoipa::path(delete, path = "/imports/{id}", tag = "imports", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn discard_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    imports::discard(&s.app, &ctx, job_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The failed rows as CSV: row number, reason, then the row as it was in the file.
#[utoipa::path(get, path = "/imports/{id}/errors", tag = "imports", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, content_type = "text/csv", description = "The failed rows"),
        (status = 404, body = ErrorBody)))]
pub async fn import_errors(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let body = imports::errors_csv(&s.app, &ctx, job_id(&id)?).await?;
    Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}
