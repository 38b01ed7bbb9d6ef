//! Import jobs and the rows they processed. A creator's complete stored state (what an
//! undo puts back) lives in [`crate::snapshots`], re-exported here.

use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::sql::Filter;
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::snapshots::{
    AccountSnapshotState, AccountState, ContactState, CreatorSnapshot, CreatorState, hard_delete_creator,
    load_snapshot, load_snapshots, restore_snapshot,
};
pub(crate) use crate::snapshots::{PROFILE_COLUMNS, profile_args};

/// An import job without its file content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub file_name: String,
    pub mode: String,
    pub match_key: String,
    pub default_platform: Option<String>,
    pub status: String,
    pub total: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    pub rows_done: i64,
    pub rows_undone: i64,
    /// JSON array of target keys, one per column.
    pub mapping: String,
    pub error: Option<String>,
    pub created_by: String,
    pub created_by_label: String,
    pub undone_by: Option<String>,
    pub undone_by_label: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
}

/// The match key a job's row holds. "email_or_handle" is stored as the email key with
/// `match_then_handle` set (the column's CHECK predates it).
const EMAIL_OR_HANDLE: &str = "email_or_handle";

fn stored_key(key: &str) -> (&str, bool) {
    if key == EMAIL_OR_HANDLE { ("email", true) } else { (key, false) }
}

const JOB_COLUMNS: &str = "id, workspace_id, file_name, mode, \
    CASE WHEN match_then_handle THEN 'email_or_handle' ELSE match_key END AS match_key, default_platform, status, total, created, \
    updated, unchanged, failed, rows_done, rows_undone, mapping, error, created_by, created_by_label, undone_by, \
    undone_by_label, created_at, updated_at, started_at, finished_at";

/// Stores a new job with the file's text (taken, not copied: it may be hundreds of MB).
pub async fn insert_job(c: &mut Conn<'_>, j: &JobRow, content: String) -> StoreResult<()> {
    c.execute(
        "INSERT INTO import_jobs (id, workspace_id, file_name, mode, match_key, default_platform, status, total, \
         mapping, created_by, created_by_label, created_at, updated_at, match_then_handle) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
        args![
            j.id,
            j.workspace_id,
            j.file_name.clone(),
            j.mode.clone(),
            stored_key(&j.match_key).0,
            j.default_platform.clone(),
            j.status.clone(),
            j.total,
            j.mapping.clone(),
            j.created_by.clone(),
            j.created_by_label.clone(),
            j.created_at,
            stored_key(&j.match_key).1
        ],
    )
    .await?;
    c.execute(
        "INSERT INTO import_files (job_id, workspace_id, content) VALUES ($1, $2, $3)",
        args![j.id, j.workspace_id, content],
    )
    .await?;
    Ok(())
}

pub async fn get_job(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<JobRow>> {
    c.fetch_optional(
        format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE workspace_id = $1 AND id = $2"),
        args![workspace_id, id],
    )
    .await
}

/// The uploaded file's text.
pub async fn content(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<String> {
    let row: (String,) = c
        .fetch_one("SELECT content FROM import_files WHERE workspace_id = $1 AND job_id = $2", args![workspace_id, id])
        .await?;
    Ok(row.0)
}

/// The workspace's jobs, newest first.
pub async fn list_jobs(c: &mut Conn<'_>, workspace_id: Uuid, limit: i64) -> StoreResult<Vec<JobRow>> {
    c.fetch_all(
        format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        ),
        args![workspace_id, limit],
    )
    .await
}

/// Jobs of every workspace that were running or undoing (to resume after a restart).
pub async fn unfinished(c: &mut Conn<'_>) -> StoreResult<Vec<JobRow>> {
    c.fetch_all(
        format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE status IN ('running', 'undoing') ORDER BY created_at, id"),
        args![],
    )
    .await
}

/// Changes the settings of a job that has not run yet. Returns the rows changed.
#[allow(clippy::too_many_arguments)]
pub async fn configure(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    mode: &str,
    match_key: &str,
    default_platform: Option<&str>,
    mapping: &str,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE import_jobs SET mode = $3, match_key = $4, default_platform = $5, mapping = $6, updated_at = $7, \
         match_then_handle = $8 WHERE workspace_id = $1 AND id = $2 AND status = 'previewed'",
        args![workspace_id, id, mode, stored_key(match_key).0, default_platform, mapping, now, stored_key(match_key).1],
    )
    .await
}

/// A status change, made only from one of the `from` states (so two workers cannot both
/// make it). Entering `running` stamps `started_at` once; a final state stamps
/// `finished_at`. Returns the rows changed (0: the job was not in a `from` state).
#[allow(clippy::too_many_arguments)]
pub async fn set_status(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    from: &[&'static str],
    to: &'static str,
    error: Option<String>,
    actor: Option<(String, String)>,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    let finished = matches!(to, "completed" | "failed" | "undone");
    let (undone_by, undone_label) = actor.map_or((None, None), |(a, l)| (Some(a), Some(l)));
    let mut f = Filter::with_args(args![workspace_id, id, to, error, now, finished, undone_by, undone_label]);
    let states: Vec<String> = from.iter().map(|s| f.param(Arg::Text((*s).to_owned()))).collect();
    let sql = format!(
        "UPDATE import_jobs SET status = $3, error = $4, updated_at = $5, \
         started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, $5) ELSE started_at END, \
         finished_at = CASE WHEN $6 THEN $5 ELSE finished_at END, \
         undone_by = COALESCE($7, undone_by), undone_by_label = COALESCE($8, undone_by_label) \
         WHERE workspace_id = $1 AND id = $2 AND status IN ({})",
        states.join(", ")
    );
    let (sql, a) = f.finish(sql);
    c.execute(sql, a).await
}

/// Recounts the job's outcomes from its rows (so the counts are right after a resume).
pub async fn refresh_counts(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
    c.execute(
        "UPDATE import_jobs SET \
         created = (SELECT COUNT(*) FROM import_job_rows r WHERE r.job_id = $1 AND r.outcome = 'created'), \
         updated = (SELECT COUNT(*) FROM import_job_rows r WHERE r.job_id = $1 AND r.outcome = 'updated'), \
         unchanged = (SELECT COUNT(*) FROM import_job_rows r WHERE r.job_id = $1 AND r.outcome = 'unchanged'), \
         failed = (SELECT COUNT(*) FROM import_job_rows r WHERE r.job_id = $1 AND r.outcome = 'failed'), \
         rows_done = (SELECT COUNT(*) FROM import_job_rows r WHERE r.job_id = $1), \
         rows_undone = (SELECT COUNT(*) FROM import_job_rows r WHERE r.job_id = $1 AND r.undone_at IS NOT NULL), \
         updated_at = $3 WHERE id = $1 AND workspace_id = $2",
        args![id, workspace_id, now],
    )
    .await?;
    Ok(())
}

/// Adds a batch's outcomes to a job's counts, in the batch's own transaction (cheaper
/// than [`refresh_counts`] on a job of a million rows, and just as exact).
pub async fn add_counts(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    [created, updated, unchanged, failed]: [i64; 4],
    now: OffsetDateTime,
) -> StoreResult<()> {
    c.execute(
        "UPDATE import_jobs SET created = created + $3, updated = updated + $4, unchanged = unchanged + $5, \
         failed = failed + $6, rows_done = rows_done + $3 + $4 + $5 + $6, updated_at = $7 \
         WHERE id = $1 AND workspace_id = $2",
        args![id, workspace_id, created, updated, unchanged, failed, now],
    )
    .await?;
    Ok(())
}

/// Deletes a job that never ran (its rows go with it).
pub async fn delete_job(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<u64> {
    c.execute(
        "DELETE FROM import_jobs WHERE workspace_id = $1 AND id = $2 AND status = 'previewed'",
        args![workspace_id, id],
    )
    .await
}

/// One processed row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProcessedRow {
    pub row_number: i64,
    pub outcome: String,
    pub creator_id: Option<Uuid>,
    /// JSON [`CreatorSnapshot`] of an updated creator before the import changed it.
    pub before: Option<String>,
    pub error: Option<String>,
    pub undone_at: Option<OffsetDateTime>,
}

const ROW_COLUMNS: &str = "row_number, outcome, creator_id, before, error, undone_at";

/// A processed row's record.
#[derive(Debug, Clone)]
pub struct RowRecord {
    pub row_number: i64,
    pub outcome: &'static str,
    pub creator_id: Option<Uuid>,
    /// The creator's snapshot before an update, as JSON.
    pub before: Option<String>,
    pub error: Option<String>,
}

/// Records a processed row unless it already is; `false` means another worker (or an
/// earlier run) recorded it first, and the caller must roll its write back.
pub async fn record_row(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    job_id: Uuid,
    row: RowRecord,
    now: OffsetDateTime,
) -> StoreResult<bool> {
    Ok(record_rows(c, workspace_id, job_id, vec![row], now).await? == 1)
}

/// Records processed rows, skipping any already recorded; returns how many this call
/// recorded (fewer than given means another worker got there first).
pub async fn record_rows(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    job_id: Uuid,
    rows: Vec<RowRecord>,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    let rows = rows
        .into_iter()
        .map(|r| args![job_id, workspace_id, r.row_number, r.outcome, r.creator_id, r.before, r.error, now])
        .collect();
    crate::bulk::insert(
        c,
        "INSERT INTO import_job_rows (job_id, workspace_id, row_number, outcome, creator_id, before, error, processed_at)",
        8,
        "ON CONFLICT (job_id, row_number) DO NOTHING",
        rows,
    )
    .await
}

/// The row numbers already processed.
pub async fn done_rows(c: &mut Conn<'_>, workspace_id: Uuid, job_id: Uuid) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = c
        .fetch_all(
            "SELECT row_number FROM import_job_rows WHERE workspace_id = $1 AND job_id = $2 ORDER BY row_number",
            args![workspace_id, job_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Failed rows with their reasons, in file order.
pub async fn failed_rows(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    job_id: Uuid,
    limit: i64,
) -> StoreResult<Vec<ProcessedRow>> {
    c.fetch_all(
        format!(
            "SELECT {ROW_COLUMNS} FROM import_job_rows WHERE workspace_id = $1 AND job_id = $2 \
             AND outcome = 'failed' ORDER BY row_number LIMIT $3"
        ),
        args![workspace_id, job_id, limit],
    )
    .await
}

/// Created and updated rows not undone yet, last row first (the order undo walks).
pub async fn rows_to_undo(c: &mut Conn<'_>, workspace_id: Uuid, job_id: Uuid) -> StoreResult<Vec<ProcessedRow>> {
    c.fetch_all(
        format!(
            "SELECT {ROW_COLUMNS} FROM import_job_rows WHERE workspace_id = $1 AND job_id = $2 \
             AND outcome IN ('created', 'updated') AND undone_at IS NULL ORDER BY row_number DESC"
        ),
        args![workspace_id, job_id],
    )
    .await
}

/// When a creator of the workspace was last written to; `None` when it does not exist (a
/// soft-deleted one does).
pub async fn creator_updated_at(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Uuid,
) -> StoreResult<Option<OffsetDateTime>> {
    let row: Option<(OffsetDateTime,)> = c
        .fetch_optional(
            "SELECT updated_at FROM creators WHERE workspace_id = $1 AND id = $2",
            args![workspace_id, creator_id],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// The creators the job created.
pub async fn created_creators(c: &mut Conn<'_>, workspace_id: Uuid, job_id: Uuid) -> StoreResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = c
        .fetch_all(
            "SELECT creator_id FROM import_job_rows WHERE workspace_id = $1 AND job_id = $2 \
             AND outcome = 'created' AND creator_id IS NOT NULL",
            args![workspace_id, job_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn mark_undone(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    job_id: Uuid,
    row_number: i64,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE import_job_rows SET undone_at = $4 WHERE workspace_id = $1 AND job_id = $2 AND row_number = $3 \
         AND undone_at IS NULL",
        args![workspace_id, job_id, row_number, now],
    )
    .await
}
