//! `/api/v1/creators/{id}/tasks` and `/api/v1/tasks`.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use rapport_app::tasks::{self, TaskInput, TaskPatch, TaskQuery, TaskView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/tasks", get(list_creator_tasks).post(create_task))
        .route("/tasks", get(list_tasks))
        .route("/tasks/{task}", patch(update_task).delete(delete_task))
}

/// A creator's tasks: open ones by due date, then done ones.
#[utoipa::path(get, path = "/creators/{id}/tasks", tag = "tasks", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<TaskView>), (status = 404, body = ErrorBody)))]
pub async fn list_creator_tasks(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(tasks::list(&s.app, &ctx, path_id(&id)?).await?))
}

/// Add a task to a creator.
#[utoipa::path(post, path = "/creators/{id}/tasks", tag = "tasks", params(("id" = String, Path)),
    request_body = TaskInput, security(("api_key" = [])),
    responses((status = 201, body = TaskView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_task(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<TaskView>), ApiError> {
    let input: TaskInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(tasks::add(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// A member's tasks across creators.
#[utoipa::path(get, path = "/tasks", tag = "tasks", params(TaskQuery), security(("api_key" = [])),
    responses((status = 200, body = Vec<TaskView>), (status = 422, body = ErrorBody)))]
pub async fn list_tasks(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<TaskQuery>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(tasks::list_assigned(&s.app, &ctx, &q).await?))
}

/// Change a task, mark it done (`"done": true`) or reopen it.
#[utoipa::path(patch, path = "/tasks/{task}", tag = "tasks", params(("task" = String, Path)),
    request_body = TaskPatch, security(("api_key" = [])),
    responses((status = 200, body = TaskView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_task(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(task): Path<String>,
    body: JsonBody,
) -> Result<Json<TaskView>, ApiError> {
    let patch: TaskPatch = body.parse()?;
    Ok(Json(tasks::update(&s.app, &ctx, path_id(&task)?, patch).await?))
}

/// Delete a task.
#[utoipa::path(delete, path = "/tasks/{task}", tag = "tasks", params(("task" = String, Path)),
    security(("api_key" = [])), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_task(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(task): Path<String>,
) -> Result<StatusCode, ApiError> {
    tasks::delete(&s.app, &ctx, path_id(&task)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
