//! Tasks on a creator: add, list, edit, mark done or reopen, delete; lists of a member's
//! open, done or overdue tasks. Creating and finishing a task appear on the timeline.

use crate::App;
use crate::context::Ctx;
use crate::creators::require_creator;
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::diff::Change;
use rapport_core::ids::{CreatorId, TaskId, UserId};
use rapport_core::validation::{optional_date, required_text};
use rapport_store::tasks::{self as store, Status, TaskRow};
use rapport_store::{Conn, users};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

/// The longest task title, in characters.
pub const MAX_TITLE: usize = 200;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    #[schema(value_type = String, example = "tk_0193…")]
    pub id: TaskId,
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    pub creator_name: String,
    pub title: String,
    /// `YYYY-MM-DD`, or absent.
    #[schema(example = "2026-03-31")]
    pub due_on: Option<String>,
    #[schema(value_type = Option<String>, example = "usr_0193…")]
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub done: bool,
    /// Open and due before today (UTC).
    pub overdue: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A new task. The assignee defaults to the creator's owner, else the person adding it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// A member of the workspace, `usr_…`.
    pub assignee_id: Option<String>,
}

/// A partial change: absent fields stay; `null` clears `due_on` or `assignee_id`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
    /// `true` marks the task done, `false` reopens it.
    pub done: Option<bool>,
}

/// A field that was sent, possibly as `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Whose tasks a list shows and in which status, as they arrive in a query string.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TaskQuery {
    /// `me` (the default) or a member's id `usr_…`.
    pub assignee: Option<String>,
    /// `open` (the default), `done` or `overdue`.
    pub status: Option<String>,
}

fn today() -> Date {
    now().date()
}

pub(crate) async fn views(c: &mut Conn<'_>, ctx: &Ctx, rows: Vec<TaskRow>) -> AppResult<Vec<TaskView>> {
    let members = users::list_members(c, ctx.ws()).await?;
    let today = today();
    Ok(rows
        .into_iter()
        .map(|t| TaskView {
            id: TaskId(t.id),
            creator_id: CreatorId(t.creator_id),
            creator_name: t.creator_name,
            title: t.title,
            due_on: t.due_on.map(|d| d.to_string()),
            assignee_id: t.assignee_id.map(UserId),
            assignee_name: t.assignee_id.and_then(|a| members.iter().find(|m| m.user_id == a).map(|m| m.name.clone())),
            done: t.done_at.is_some(),
            overdue: t.done_at.is_none() && t.due_on.is_some_and(|d| d < today),
            done_at: t.done_at,
            created_at: t.created_at,
        })
        .collect())
}

/// Parses an assignee and checks they belong to the caller's workspace.
async fn assignee(c: &mut Conn<'_>, ctx: &Ctx, e: &mut Invalid, v: Option<&str>) -> AppResult<Option<UserId>> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let Ok(user) = v.parse::<UserId>() else {
        e.add("assignee_id", "is not a member of this workspace");
        return Ok(None);
    };
    if users::role_of(c, ctx.ws(), user.0).await?.is_none() {
        e.add("assignee_id", "is not a member of this workspace");
        return Ok(None);
    }
    Ok(Some(user))
}

fn event(title: &str) -> Vec<Change> {
    vec![Change { field: "task".into(), before: Value::Null, after: Value::String(title.to_owned()) }]
}

pub async fn add(app: &App, ctx: &Ctx, creator: CreatorId, input: TaskInput) -> AppResult<TaskView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let owner = require_creator(&mut c, ctx, creator, false).await?.owner_id;
    let mut e = Invalid::new();
    let title = required_text(&mut e, "title", input.title.as_deref(), MAX_TITLE);
    let due_on = optional_date(&mut e, "due_on", input.due_on.as_deref());
    let chosen = assignee(&mut c, ctx, &mut e, input.assignee_id.as_deref()).await?;
    e.into_result(())?;
    let row = TaskRow {
        id: TaskId::new().0,
        creator_id: creator.0,
        creator_name: String::new(),
        title,
        due_on,
        assignee_id: chosen.map(|u| u.0).or(owner).or(ctx.actor.user_id().map(|u| u.0)),
        created_by: ctx.actor.to_string(),
        created_at: now(),
        done_at: None,
    };
    store::insert(&mut c, ctx.ws(), &row).await?;
    timeline::record(&mut c, ctx, creator.0, "task.created", event(&row.title)).await?;
    let saved = store::get(&mut c, ctx.ws(), row.id).await?.ok_or(AppError::NotFound)?;
    let view = views(&mut c, ctx, vec![saved]).await?.into_iter().next().ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view)
}

pub async fn list(app: &App, ctx: &Ctx, creator: CreatorId) -> AppResult<Vec<TaskView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    require_creator(&mut c, ctx, creator, true).await?;
    let rows = store::list_for(&mut c, ctx.ws(), creator.0).await?;
    views(&mut c, ctx, rows).await
}

/// A member's tasks across creators; `me` needs a person, not an API key.
pub async fn list_assigned(app: &App, ctx: &Ctx, q: &TaskQuery) -> AppResult<Vec<TaskView>> {
    let mut e = Invalid::new();
    let status = match q.status.as_deref().unwrap_or("open") {
        "open" => Some(Status::Open),
        "done" => Some(Status::Done),
        "overdue" => Some(Status::OverdueOn(today())),
        _ => {
            e.add("status", "must be open, done or overdue");
            None
        }
    };
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let who = match q.assignee.as_deref().unwrap_or("me") {
        "me" => ctx.actor.user_id().or_else(|| {
            e.add("assignee", "`me` needs a signed-in person; pass a member's id");
            None
        }),
        other => assignee(&mut c, ctx, &mut e, Some(other)).await?,
    };
    if let Some(m) = e.message_for("assignee_id").map(str::to_owned) {
        e.errors.retain(|f| f.field != "assignee_id");
        e.add("assignee", m);
    }
    let (Some(status), Some(who)) = (status, who) else { return Err(e.into()) };
    let rows = store::list_assigned(&mut c, ctx.ws(), who.0, status).await?;
    views(&mut c, ctx, rows).await
}

pub async fn update(app: &App, ctx: &Ctx, id: TaskId, patch: TaskPatch) -> AppResult<TaskView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    let mut e = Invalid::new();
    if let Some(title) = patch.title {
        row.title = required_text(&mut e, "title", Some(&title), MAX_TITLE);
    }
    if let Some(due) = patch.due_on {
        row.due_on = optional_date(&mut e, "due_on", due.as_deref());
    }
    if let Some(a) = patch.assignee_id {
        row.assignee_id = assignee(&mut c, ctx, &mut e, a.as_deref()).await?.map(|u| u.0);
    }
    e.into_result(())?;
    let action = match (patch.done, row.done_at.is_some()) {
        (Some(true), false) => Some(("task.done", Some(now()))),
        (Some(false), true) => Some(("task.reopened", None)),
        _ => None,
    };
    if let Some((name, done_at)) = action {
        row.done_at = done_at;
        timeline::record(&mut c, ctx, row.creator_id, name, event(&row.title)).await?;
    }
    store::update(&mut c, ctx.ws(), &row).await?;
    let view = views(&mut c, ctx, vec![row]).await?.into_iter().next().ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view)
}

/// Deletes a task; returns its creator.
pub async fn delete(app: &App, ctx: &Ctx, id: TaskId) -> AppResult<CreatorId> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    store::delete(&mut c, ctx.ws(), id.0).await?;
    let change = vec![Change { field: "task".into(), before: Value::String(row.title), after: Value::Null }];
    timeline::record(&mut c, ctx, row.creator_id, "task.deleted", change).await?;
    tx.commit().await?;
    Ok(CreatorId(row.creator_id))
}
