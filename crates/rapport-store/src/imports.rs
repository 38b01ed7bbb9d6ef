//! Import jobs and the rows they processed; a creator's complete stored state as a
//! snapshot, its exact restore, and the hard delete that undoes a created creator.

use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::sql::Filter;
use crate::stage_changes::StageChangeRow;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

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

const JOB_COLUMNS: &str = "id, workspace_id, file_name, mode, match_key, default_platform, status, total, created, \
    updated, unchanged, failed, rows_done, rows_undone, mapping, error, created_by, created_by_label, undone_by, \
    undone_by_label, created_at, updated_at, started_at, finished_at";

/// Stores a new job with the file's text.
pub async fn insert_job(c: &mut Conn<'_>, j: &JobRow, content: &str) -> StoreResult<()> {
    c.execute(
        "INSERT INTO import_jobs (id, workspace_id, file_name, mode, match_key, default_platform, status, total, \
         mapping, content, created_by, created_by_label, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        args![
            j.id,
            j.workspace_id,
            j.file_name.clone(),
            j.mode.clone(),
            j.match_key.clone(),
            j.default_platform.clone(),
            j.status.clone(),
            j.total,
            j.mapping.clone(),
            content,
            j.created_by.clone(),
            j.created_by_label.clone(),
            j.created_at
        ],
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
        .fetch_one("SELECT content FROM import_jobs WHERE workspace_id = $1 AND id = $2", args![workspace_id, id])
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
        "UPDATE import_jobs SET mode = $3, match_key = $4, default_platform = $5, mapping = $6, updated_at = $7 \
         WHERE workspace_id = $1 AND id = $2 AND status = 'previewed'",
        args![workspace_id, id, mode, match_key, default_platform, mapping, now],
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

/// Records a processed row unless it already is; `false` means another worker (or an
/// earlier run) recorded it first, and the caller must roll its write back.
#[allow(clippy::too_many_arguments)]
pub async fn record_row(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    job_id: Uuid,
    row_number: i64,
    outcome: &str,
    creator_id: Option<Uuid>,
    before: Option<String>,
    error: Option<String>,
    now: OffsetDateTime,
) -> StoreResult<bool> {
    let n = c
        .execute(
            "INSERT INTO import_job_rows (job_id, workspace_id, row_number, outcome, creator_id, before, error, \
             processed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (job_id, row_number) DO NOTHING",
            args![job_id, workspace_id, row_number, outcome, creator_id, before, error, now],
        )
        .await?;
    Ok(n == 1)
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

/// The editable columns of a creator row as `SET` assignments of `$3`…`$18`, in the order
/// of [`profile_args`] (the caller binds the workspace and id as `$1` and `$2`).
pub(crate) const PROFILE_COLUMNS: &str = "display_name = $3, sort_name = $4, legal_name = $5, pronouns = $6, \
    country = $7, city = $8, languages = $9, timezone = $10, bio = $11, niches = $12, tone_notes = $13, \
    owner_id = (SELECT u.id FROM users u WHERE u.id = $14), stage = $15, do_not_contact = $16, source = $17, \
    custom_fields = $18, touch_every_days = $19";

/// The values of [`PROFILE_COLUMNS`].
pub(crate) fn profile_args(k: &CreatorState) -> Vec<Arg> {
    args![
        k.display_name.clone(),
        k.sort_name.clone(),
        k.legal_name.clone(),
        k.pronouns.clone(),
        k.country.clone(),
        k.city.clone(),
        k.languages.clone(),
        k.timezone.clone(),
        k.bio.clone(),
        k.niches.clone(),
        k.tone_notes.clone(),
        k.owner_id,
        k.stage.clone(),
        k.do_not_contact,
        k.source.clone(),
        k.custom_fields.clone(),
        k.touch_every_days
    ]
}

/// Every column of a creator row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CreatorState {
    pub id: Uuid,
    pub display_name: String,
    pub sort_name: String,
    pub legal_name: Option<String>,
    pub pronouns: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: String,
    pub timezone: Option<String>,
    pub bio: Option<String>,
    pub niches: String,
    pub tone_notes: Option<String>,
    pub owner_id: Option<Uuid>,
    pub stage: String,
    pub do_not_contact: bool,
    pub source: Option<String>,
    pub custom_fields: String,
    pub max_followers: i64,
    pub search_text: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
    /// Absent in snapshots taken before cadences existed.
    #[serde(default)]
    pub touch_every_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ContactState {
    pub id: Uuid,
    pub kind: String,
    pub value: String,
    pub normalized: String,
    pub is_primary: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opted_out_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AccountState {
    pub id: Uuid,
    pub platform: String,
    pub handle: String,
    pub handle_normalized: String,
    pub url: Option<String>,
    pub platform_user_id: Option<String>,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub audience: String,
    pub audience_quality_pct: Option<f64>,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub observed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AccountSnapshotState {
    pub id: Uuid,
    pub account_id: Uuid,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub observed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Everything stored about a creator that an import can change: the row, tags, contact
/// points, accounts and their metric history, and the stage history. Restoring it puts
/// back exactly this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorSnapshot {
    pub creator: CreatorState,
    pub tags: Vec<String>,
    pub contacts: Vec<ContactState>,
    pub accounts: Vec<AccountState>,
    pub account_snapshots: Vec<AccountSnapshotState>,
    /// `None` in snapshots taken before stage history existed: restoring one leaves the
    /// history as it is.
    #[serde(default)]
    pub stage_changes: Option<Vec<StageChangeRow>>,
}

/// The full stored state of a creator of the workspace.
pub async fn load_snapshot(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<CreatorSnapshot>> {
    let creator: Option<CreatorState> = c
        .fetch_optional(
            "SELECT id, display_name, sort_name, legal_name, pronouns, country, city, languages, timezone, bio, \
             niches, tone_notes, owner_id, stage, do_not_contact, source, custom_fields, max_followers, search_text, \
             created_by, created_at, updated_at, deleted_at, touch_every_days FROM creators \
             WHERE workspace_id = $1 AND id = $2",
            args![workspace_id, id],
        )
        .await?;
    let Some(creator) = creator else { return Ok(None) };
    let tags: Vec<(String,)> =
        c.fetch_all("SELECT tag FROM creator_tags WHERE creator_id = $1 ORDER BY tag", args![id]).await?;
    let contacts: Vec<ContactState> = c
        .fetch_all(
            "SELECT id, kind, value, normalized, is_primary, opted_out_at, created_at FROM contact_points \
             WHERE creator_id = $1 ORDER BY is_primary DESC, kind, value",
            args![id],
        )
        .await?;
    let accounts: Vec<AccountState> = c
        .fetch_all(
            "SELECT id, platform, handle, handle_normalized, url, platform_user_id, followers, average_views, \
             engagement_rate_pct, audience, audience_quality_pct, source, observed_at, created_at, updated_at \
             FROM social_accounts WHERE workspace_id = $1 AND creator_id = $2 \
             ORDER BY followers DESC, platform, id",
            args![workspace_id, id],
        )
        .await?;
    let account_snapshots: Vec<AccountSnapshotState> = c
        .fetch_all(
            "SELECT s.id, s.account_id, s.followers, s.average_views, s.engagement_rate_pct, s.source, s.observed_at, \
             s.created_at FROM account_snapshots s JOIN social_accounts a ON a.id = s.account_id \
             WHERE a.workspace_id = $1 AND a.creator_id = $2 ORDER BY s.account_id, s.id",
            args![workspace_id, id],
        )
        .await?;
    let stage_changes = crate::stage_changes::for_creators(c, workspace_id, &[id]).await?;
    Ok(Some(CreatorSnapshot {
        creator,
        tags: tags.into_iter().map(|t| t.0).collect(),
        contacts,
        accounts,
        account_snapshots,
        stage_changes: Some(stage_changes),
    }))
}

/// Puts a creator back exactly as in `s`: every column (including `updated_at`), tags,
/// contact points, accounts and their snapshots, and the stage history. An owner who no
/// longer exists is cleared. Returns `false` when the creator no longer exists.
pub async fn restore_snapshot(c: &mut Conn<'_>, workspace_id: Uuid, s: &CreatorSnapshot) -> StoreResult<bool> {
    let k = &s.creator;
    let mut a = args![workspace_id, k.id];
    a.extend(profile_args(k));
    a.extend(args![
        k.max_followers,
        k.search_text.clone(),
        k.created_by.clone(),
        k.created_at,
        k.updated_at,
        k.deleted_at
    ]);
    let n = c
        .execute(
            format!(
                "UPDATE creators SET {PROFILE_COLUMNS}, max_followers = $20, search_text = $21, created_by = $22, \
                 created_at = $23, updated_at = $24, deleted_at = $25 WHERE workspace_id = $1 AND id = $2"
            ),
            a,
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    crate::changes::record(c, workspace_id, k.id).await?;
    if let Some(history) = &s.stage_changes {
        crate::stage_changes::replace(c, workspace_id, k.id, history).await?;
    }
    c.execute("DELETE FROM creator_tags WHERE creator_id = $1", args![k.id]).await?;
    for tag in &s.tags {
        c.execute(
            "INSERT INTO creator_tags (workspace_id, creator_id, tag) VALUES ($1, $2, $3)",
            args![workspace_id, k.id, tag.clone()],
        )
        .await?;
    }
    c.execute("DELETE FROM contact_points WHERE creator_id = $1", args![k.id]).await?;
    for p in &s.contacts {
        c.execute(
            "INSERT INTO contact_points (id, workspace_id, creator_id, kind, value, normalized, is_primary, \
             opted_out_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                p.id,
                workspace_id,
                k.id,
                p.kind.clone(),
                p.value.clone(),
                p.normalized.clone(),
                p.is_primary,
                p.opted_out_at,
                p.created_at
            ],
        )
        .await?;
    }
    // Accounts go with their snapshots (ON DELETE CASCADE) and come back with theirs.
    c.execute("DELETE FROM social_accounts WHERE workspace_id = $1 AND creator_id = $2", args![workspace_id, k.id])
        .await?;
    for a in &s.accounts {
        c.execute(
            "INSERT INTO social_accounts (id, workspace_id, creator_id, platform, handle, handle_normalized, url, \
             platform_user_id, followers, average_views, engagement_rate_pct, audience, audience_quality_pct, \
             source, observed_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            args![
                a.id,
                workspace_id,
                k.id,
                a.platform.clone(),
                a.handle.clone(),
                a.handle_normalized.clone(),
                a.url.clone(),
                a.platform_user_id.clone(),
                a.followers,
                a.average_views,
                a.engagement_rate_pct,
                a.audience.clone(),
                a.audience_quality_pct,
                a.source.clone(),
                a.observed_at,
                a.created_at,
                a.updated_at
            ],
        )
        .await?;
    }
    for p in &s.account_snapshots {
        c.execute(
            "INSERT INTO account_snapshots (id, workspace_id, account_id, followers, average_views, \
             engagement_rate_pct, source, observed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                p.id,
                workspace_id,
                p.account_id,
                p.followers,
                p.average_views,
                p.engagement_rate_pct,
                p.source.clone(),
                p.observed_at,
                p.created_at
            ],
        )
        .await?;
    }
    Ok(true)
}

/// Deletes a creator for good: the row, and through ON DELETE CASCADE its tags, contact
/// points, accounts, snapshots and notes; its timeline goes too (it describes a record
/// that no longer exists and holds personal data). Returns the creators deleted (0 or 1).
pub async fn hard_delete_creator(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<u64> {
    crate::changes::record(c, workspace_id, id).await?;
    c.execute("DELETE FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2", args![workspace_id, id])
        .await?;
    c.execute("DELETE FROM creators WHERE workspace_id = $1 AND id = $2", args![workspace_id, id]).await
}
