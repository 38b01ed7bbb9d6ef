//! Tasks on the creator record page: the add form (re-shown with inline errors), done,
//! reopen and delete buttons.

use super::{Empty, Opt, PageForms, owner_opts, rerender};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::pages::redirect_with_flash;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use rapport_app::AppError;
use rapport_app::tasks::{self, TaskInput, TaskPatch, TaskView};
use rapport_core::ids::{CreatorId, TaskId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/tasks", post(create_task))
        .route("/tasks/{task}/done", post(finish_task))
        .route("/tasks/{task}/reopen", post(reopen_task))
        .route("/tasks/{task}/delete", post(delete_task))
}

/// The add-task form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub assignee_id: String,
}

/// The members as assignee choices; the first leaves the default (owner, else you).
pub async fn assignee_opts(state: &AppState, session: &Session, current: &str) -> Result<Vec<Opt>, PageError> {
    let mut opts = owner_opts(state, session, Some(current)).await?;
    if let Some(first) = opts.first_mut() {
        first.value = String::new();
        first.label = "Owner of this creator, else me".into();
        first.selected = current.is_empty();
    }
    Ok(opts)
}

/// The creator's tasks for the page.
pub async fn of_creator(state: &AppState, session: &Session, id: CreatorId) -> Result<Vec<TaskView>, PageError> {
    Ok(tasks::list(&state.app, session.ctx(), id).await?)
}

async fn create_task(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<TaskForm>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let form = f.form;
    let input = TaskInput {
        title: Some(form.title.clone()),
        due_on: Some(form.due_on.clone()),
        assignee_id: Some(form.assignee_id.clone()),
    };
    match tasks::add(&state.app, f.session.ctx(), id, input).await {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/creators/{id}#tasks"), "Task added.")),
        Err(AppError::Invalid(task_errors)) => {
            rerender(&state, &f.session, id, PageForms { task_form: form, task_errors, ..Default::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Marks done or reopens, then goes back to the creator.
async fn set_done(state: &AppState, session: &Session, task: &str, done: bool) -> Result<Response, PageError> {
    let task: TaskId = task.parse().map_err(|_| AppError::NotFound)?;
    let patch = TaskPatch { done: Some(done), ..Default::default() };
    let t = tasks::update(&state.app, session.ctx(), task, patch).await?;
    let flash = if done { "Task done." } else { "Task reopened." };
    Ok(redirect_with_flash(state, &format!("/creators/{}#tasks", t.creator_id), flash))
}

async fn finish_task(
    State(state): State<AppState>,
    Path(task): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    set_done(&state, &f.session, &task, true).await
}

async fn reopen_task(
    State(state): State<AppState>,
    Path(task): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    set_done(&state, &f.session, &task, false).await
}

async fn delete_task(
    State(state): State<AppState>,
    Path(task): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let task: TaskId = task.parse().map_err(|_| AppError::NotFound)?;
    let creator = tasks::delete(&state.app, f.session.ctx(), task).await?;
    Ok(redirect_with_flash(&state, &format!("/creators/{creator}#tasks"), "Task deleted."))
}
