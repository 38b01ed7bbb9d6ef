//! `/api/v1/playbook/…`: the workspace's templates (emails, briefs, review checklists), their
//! merge fields, and previews against a creator.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::playbook::{
    self, MergeFieldView, PreviewInput, PreviewView, TemplateInput, TemplateQuery, TemplateView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/playbook/templates", get(list_templates).post(create_template))
        .route("/playbook/templates/{id}", get(show_template).patch(update_template).delete(delete_template))
        .route("/playbook/templates/{id}/preview", post(preview_template))
        .route("/playbook/merge-fields", get(list_merge_fields))
}

/// The workspace's templates by kind, then name.
#[utoipa::path(get, path = "/playbook/templates", tag = "playbook", params(TemplateQuery),
    security(("api_key" = [])), responses((status = 200, body = Vec<TemplateView>), (status = 422, body = ErrorBody)))]
pub async fn list_templates(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<TemplateQuery>,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    Ok(Json(playbook::list(&s.app, &ctx, q.kind.as_deref()).await?))
}

/// Add a template. A syntax error, an unknown merge field or a template that takes too much
/// work to render is a 422 naming `subject` or `body` and the line.
#[utoipa::path(post, path = "/playbook/templates", tag = "playbook", request_body = TemplateInput,
    security(("api_key" = [])),
    responses((status = 201, body = TemplateView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_template(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<(StatusCode, Json<TemplateView>), ApiError> {
    let input: TemplateInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(playbook::create(&s.app, &ctx, input).await?)))
}

/// One template.
#[utoipa::path(get, path = "/playbook/templates/{id}", tag = "playbook", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody)))]
pub async fn show_template(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<TemplateView>, ApiError> {
    Ok(Json(playbook::get(&s.app, &ctx, path_id(&id)?).await?))
}

/// Change a template; absent fields stay.
#[utoipa::path(patch, path = "/playbook/templates/{id}", tag = "playbook", params(("id" = String, Path)),
    request_body = TemplateInput, security(("api_key" = [])),
    responses((status = 200, body = TemplateView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_template(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<TemplateView>, ApiError> {
    let patch: TemplateInput = body.parse()?;
    Ok(Json(playbook::update(&s.app, &ctx, path_id(&id)?, patch).await?))
}

/// Delete a template (it is kept, hidden; its name is free again).
#[utoipa::path(delete, path = "/playbook/templates/{id}", tag = "playbook", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_template(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    playbook::delete(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Render a template for a creator of the workspace, with personalisation warnings (emails:
/// the message does not refer to the creator, or a merge field it uses comes out blank).
#[utoipa::path(post, path = "/playbook/templates/{id}/preview", tag = "playbook", params(("id" = String, Path)),
    request_body = PreviewInput, security(("api_key" = [])),
    responses((status = 200, body = PreviewView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview_template(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<PreviewView>, ApiError> {
    let id = path_id(&id)?;
    let input: PreviewInput = body.parse()?;
    Ok(Json(playbook::preview(&s.app, &ctx, id, &input).await?))
}

/// The merge fields templates may use, e.g. `{{ creator.first_name }}`.
#[utoipa::path(get, path = "/playbook/merge-fields", tag = "playbook", security(("api_key" = [])),
    responses((status = 200, body = Vec<MergeFieldView>)))]
pub async fn list_merge_fields(ApiCtx(_ctx): ApiCtx) -> Json<Vec<MergeFieldView>> {
    Json(playbook::merge_fields())
}
