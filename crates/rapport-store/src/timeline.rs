//! The append-only timeline: who did what to a record, with a before/after diff.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub subject_type: String,
    pub subject_id: Uuid,
    pub actor: String,
    pub actor_label: String,
    pub action: String,
    /// JSON array of `{field, before, after}`.
    pub changes: String,
    pub occurred_at: OffsetDateTime,
}

pub async fn append(c: &mut Conn<'_>, workspace_id: Uuid, e: &EventRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO timeline_events (id, workspace_id, subject_type, subject_id, actor, actor_label, action, changes, occurred_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            e.id, workspace_id, e.subject_type.clone(), e.subject_id, e.actor.clone(), e.actor_label.clone(),
            e.action.clone(), e.changes.clone(), e.occurred_at
        ],
    )
    .await?;
    Ok(())
}

/// A subject's events, newest first, starting after the event id `before` (ids are
/// time-ordered, so the id alone is a stable cursor).
pub async fn list_for(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    subject_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<EventRow>> {
    let cols = "id, subject_type, subject_id, actor, actor_label, action, changes, occurred_at";
    match before {
        Some(b) => {
            c.fetch_all(
                format!(
                    "SELECT {cols} FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2 AND id < $3 \
                     ORDER BY id DESC LIMIT $4"
                ),
                args![workspace_id, subject_id, b, limit + 1],
            )
            .await
        }
        None => {
            c.fetch_all(
                format!(
                    "SELECT {cols} FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2 \
                     ORDER BY id DESC LIMIT $3"
                ),
                args![workspace_id, subject_id, limit + 1],
            )
            .await
        }
    }
}
