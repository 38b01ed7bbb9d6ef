//! Sequences of follow-up emails: the sequence, its steps (a playbook email template a
//! number of days after the previous step), and the creators enrolled in it with where they
//! are; plus the facts that stop an enrolment (a reply received since it began).

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SequenceRow {
    pub id: Uuid,
    pub name: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    pub position: i64,
    pub delay_days: i64,
    pub template_id: Uuid,
}

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, s: &SequenceRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO sequences (id, workspace_id, name, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![s.id, workspace_id, s.name.clone(), s.created_by.clone(), s.created_at, s.updated_at],
    )
    .await?;
    Ok(())
}

pub async fn rename(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    name: &str,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE sequences SET name = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        args![workspace_id, id, name, now],
    )
    .await
}

/// Replaces the steps of a sequence.
pub async fn set_steps(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, steps: &[StepRow]) -> StoreResult<()> {
    c.execute("DELETE FROM sequence_steps WHERE workspace_id = $1 AND sequence_id = $2", args![workspace_id, id])
        .await?;
    for s in steps {
        c.execute(
            "INSERT INTO sequence_steps (sequence_id, workspace_id, position, delay_days, template_id) \
             VALUES ($1, $2, $3, $4, $5)",
            args![id, workspace_id, s.position, s.delay_days, s.template_id],
        )
        .await?;
    }
    Ok(())
}

pub async fn delete(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE sequences SET deleted_at = $3 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        args![workspace_id, id, now],
    )
    .await
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<SequenceRow>> {
    c.fetch_optional(
        "SELECT id, name, created_by, created_at, updated_at FROM sequences \
         WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        args![workspace_id, id],
    )
    .await
}

pub async fn list(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<SequenceRow>> {
    c.fetch_all(
        "SELECT id, name, created_by, created_at, updated_at FROM sequences \
         WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC",
        args![workspace_id],
    )
    .await
}

pub async fn steps(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Vec<StepRow>> {
    c.fetch_all(
        "SELECT position, delay_days, template_id FROM sequence_steps \
         WHERE workspace_id = $1 AND sequence_id = $2 ORDER BY position",
        args![workspace_id, id],
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EnrollmentRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub sequence_id: Uuid,
    pub creator_id: Uuid,
    pub status: String,
    pub stop_reason: Option<String>,
    pub next_position: i64,
    pub next_step_at: Option<OffsetDateTime>,
    pub stage_at_enrollment: String,
    pub origin: String,
    pub first_message_id: Option<String>,
    pub last_error: Option<String>,
    pub enrolled_by: String,
    pub enrolled_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
}

const ENROLLMENT: &str = "SELECT id, workspace_id, sequence_id, creator_id, status, stop_reason, next_position, \
     next_step_at, stage_at_enrollment, origin, first_message_id, last_error, enrolled_by, enrolled_at, ended_at \
     FROM sequence_enrollments";

/// Enrols a creator; `false` when they already have an active enrolment in this sequence.
pub async fn enroll(c: &mut Conn<'_>, e: &EnrollmentRow) -> StoreResult<bool> {
    let n = c
        .execute(
            "INSERT INTO sequence_enrollments (id, workspace_id, sequence_id, creator_id, status, next_position, \
             next_step_at, stage_at_enrollment, origin, enrolled_by, enrolled_at) \
             VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (sequence_id, creator_id) WHERE status = 'active' DO NOTHING",
            args![
                e.id,
                e.workspace_id,
                e.sequence_id,
                e.creator_id,
                e.next_position,
                e.next_step_at,
                e.stage_at_enrollment.clone(),
                e.origin.clone(),
                e.enrolled_by.clone(),
                e.enrolled_at
            ],
        )
        .await?;
    Ok(n == 1)
}

pub async fn enrollment(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<EnrollmentRow>> {
    c.fetch_optional(format!("{ENROLLMENT} WHERE workspace_id = $1 AND id = $2"), args![workspace_id, id]).await
}

/// A sequence's (or a creator's) enrolments, newest first.
pub async fn enrollments(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    sequence_id: Option<Uuid>,
    creator_id: Option<Uuid>,
) -> StoreResult<Vec<EnrollmentRow>> {
    c.fetch_all(
        format!(
            "{ENROLLMENT} WHERE workspace_id = $1 AND ($2 IS NULL OR sequence_id = $2) \
             AND ($3 IS NULL OR creator_id = $3) ORDER BY enrolled_at DESC, id DESC LIMIT 1000"
        ),
        args![workspace_id, sequence_id, creator_id],
    )
    .await
}

/// Active enrolments whose next step is due at `at`, across workspaces.
pub async fn due(c: &mut Conn<'_>, at: OffsetDateTime, limit: i64) -> StoreResult<Vec<EnrollmentRow>> {
    c.fetch_all(
        format!("{ENROLLMENT} WHERE status = 'active' AND next_step_at <= $1 ORDER BY next_step_at, id LIMIT $2"),
        args![at, limit],
    )
    .await
}

/// Moves an active enrolment on to its next step (or records why a step waits).
pub async fn advance(
    c: &mut Conn<'_>,
    id: Uuid,
    next_position: i64,
    next_step_at: Option<OffsetDateTime>,
    first_message_id: Option<String>,
    last_error: Option<String>,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE sequence_enrollments SET next_position = $2, next_step_at = $3, \
         first_message_id = COALESCE(first_message_id, $4), last_error = $5 WHERE id = $1 AND status = 'active'",
        args![id, next_position, next_step_at, first_message_id, last_error],
    )
    .await
}

/// Ends an active enrolment: `completed`, or `stopped` with a reason.
pub async fn end(
    c: &mut Conn<'_>,
    id: Uuid,
    status: &str,
    reason: Option<&str>,
    at: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE sequence_enrollments SET status = $2, stop_reason = $3, ended_at = $4, next_step_at = NULL \
         WHERE id = $1 AND status = 'active'",
        args![id, status, reason, at],
    )
    .await
}

/// The active enrolments of a creator (to stop them all at once).
pub async fn active_for(c: &mut Conn<'_>, workspace_id: Uuid, creator_id: Uuid) -> StoreResult<Vec<EnrollmentRow>> {
    c.fetch_all(
        format!("{ENROLLMENT} WHERE workspace_id = $1 AND creator_id = $2 AND status = 'active'"),
        args![workspace_id, creator_id],
    )
    .await
}

/// Whether the creator has written to us since `since`: a received email filed under them,
/// or any inbound interaction logged (a DM, a call they made).
pub async fn replied_since(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Uuid,
    since: OffsetDateTime,
) -> StoreResult<bool> {
    let n = c
        .scalar_i64(
            "SELECT (SELECT COUNT(*) FROM inbound_messages WHERE workspace_id = $1 AND creator_id = $2 \
             AND created_at >= $3) + (SELECT COUNT(*) FROM interactions WHERE workspace_id = $1 \
             AND creator_id = $2 AND direction = 'inbound' AND created_at >= $3)",
            args![workspace_id, creator_id, since],
        )
        .await?;
    Ok(n > 0)
}
