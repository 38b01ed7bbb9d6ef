//! Tasks on creators: open until done, optionally due on a date, assigned to a member.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: Uuid,
    pub creator_id: Uuid,
    /// The creator's display name, for lists across creators.
    pub creator_name: String,
    pub title: String,
    pub due_on: Option<Date>,
    pub assignee_id: Option<Uuid>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub done_at: Option<OffsetDateTime>,
}

/// Which tasks a workspace-wide list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Done,
    /// Open and due before the given day.
    OverdueOn(Date),
}

const SELECT: &str = "SELECT t.id, t.creator_id, c.display_name AS creator_name, t.title, t.due_on, t.assignee_id, \
                      t.created_by, t.created_at, t.done_at \
                      FROM tasks t JOIN creators c ON c.id = t.creator_id AND c.workspace_id = t.workspace_id";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, t: &TaskRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO tasks (id, workspace_id, creator_id, title, due_on, assignee_id, created_by, created_at, done_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            t.id,
            workspace_id,
            t.creator_id,
            t.title.clone(),
            t.due_on,
            t.assignee_id,
            t.created_by.clone(),
            t.created_at,
            t.done_at
        ],
    )
    .await?;
    Ok(())
}

/// Writes the editable columns of a task.
pub async fn update(c: &mut Conn<'_>, workspace_id: Uuid, t: &TaskRow) -> StoreResult<u64> {
    c.execute(
        "UPDATE tasks SET title = $3, due_on = $4, assignee_id = $5, done_at = $6 WHERE workspace_id = $1 AND id = $2",
        args![workspace_id, t.id, t.title.clone(), t.due_on, t.assignee_id, t.done_at],
    )
    .await
}

pub async fn delete(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM tasks WHERE workspace_id = $1 AND id = $2", args![workspace_id, id]).await
}

/// A task of a live creator.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<TaskRow>> {
    c.fetch_optional(
        format!("{SELECT} WHERE t.workspace_id = $1 AND t.id = $2 AND c.deleted_at IS NULL"),
        args![workspace_id, id],
    )
    .await
}

/// A creator's tasks: open ones first by due date (undated last), then done ones.
pub async fn list_for(c: &mut Conn<'_>, workspace_id: Uuid, creator_id: Uuid) -> StoreResult<Vec<TaskRow>> {
    c.fetch_all(
        format!(
            "{SELECT} WHERE t.workspace_id = $1 AND t.creator_id = $2 \
             ORDER BY t.done_at IS NOT NULL, t.due_on IS NULL, t.due_on, t.created_at, t.id"
        ),
        args![workspace_id, creator_id],
    )
    .await
}

/// A member's tasks on live creators in one status, soonest due first.
pub async fn list_assigned(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    assignee_id: Uuid,
    status: Status,
) -> StoreResult<Vec<TaskRow>> {
    let base = "WHERE t.workspace_id = $1 AND t.assignee_id = $2 AND c.deleted_at IS NULL";
    let order = "ORDER BY t.due_on IS NULL, t.due_on, t.created_at, t.id";
    match status {
        Status::Open => {
            c.fetch_all(format!("{SELECT} {base} AND t.done_at IS NULL {order}"), args![workspace_id, assignee_id])
                .await
        }
        Status::Done => {
            c.fetch_all(
                format!("{SELECT} {base} AND t.done_at IS NOT NULL ORDER BY t.done_at DESC, t.id"),
                args![workspace_id, assignee_id],
            )
            .await
        }
        Status::OverdueOn(today) => {
            c.fetch_all(
                format!("{SELECT} {base} AND t.done_at IS NULL AND t.due_on < $3 {order}"),
                args![workspace_id, assignee_id, today],
            )
            .await
        }
    }
}

/// A member's open tasks on live creators due on or before `until` (overdue ones included),
/// soonest due first, at most `limit`.
pub async fn due_by(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    assignee_id: Uuid,
    until: Date,
    limit: i64,
) -> StoreResult<Vec<TaskRow>> {
    c.fetch_all(
        format!(
            "{SELECT} WHERE t.workspace_id = $1 AND t.assignee_id = $2 AND c.deleted_at IS NULL \
             AND t.done_at IS NULL AND t.due_on <= $3 ORDER BY t.due_on, t.created_at, t.id LIMIT $4"
        ),
        args![workspace_id, assignee_id, until, limit],
    )
    .await
}
