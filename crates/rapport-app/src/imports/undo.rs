//! Undoing a job: the creators it created are deleted for good, the ones it updated get
//! their stored state back exactly (accounts and metric history included). A creator
//! written to since the import finished (edited, given accounts or tags, merged into) is left
//! as it is and counted apart: putting back its state from before the import would throw
//! away work done since, and deleting it would lose it all. Rows are undone last to first,
//! each in its own transaction and marked, so an interrupted undo continues where it stopped.

use super::plan::{creator_json, editable};
use super::run::refresh_counts;
use super::{JobView, RowFailure, Status, require_job, view};
use crate::App;
use crate::context::{Ctx, Scope};
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::actor::{Actor, now};
use rapport_core::creators as domain;
use rapport_core::diff;
use rapport_core::import::ImportJobId;
use rapport_core::roles::Role;
use rapport_store::imports::{self as store, CreatorSnapshot, ProcessedRow};
use serde_json::Value;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// What an undo did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndoReport {
    /// Creators the import had created, now deleted.
    pub deleted: u64,
    /// Creators the import had updated, now as they were.
    pub restored: u64,
    /// Creators the import had created or updated that were changed since, left as they are.
    pub kept: u64,
    /// Creators the import had created or updated that no longer exist (merged into another, or
    /// deleted for good).
    pub gone: u64,
    /// Rows that could not be undone, and why (the job can be undone again after a fix).
    pub problems: Vec<RowFailure>,
}

/// Marks a finished job as being undone by the caller (so a restart continues the undo).
pub async fn begin_undo(app: &App, ctx: &Ctx, id: ImportJobId) -> AppResult<JobView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let job = require_job(&mut c, ctx, id).await?;
    match Status::parse(&job.status) {
        Status::Completed | Status::Failed => {
            let who = Some((ctx.actor.to_string(), ctx.actor_label.clone()));
            store::set_status(&mut c, ctx.ws(), id.0, &["completed", "failed"], "undoing", None, who, now()).await?;
        }
        Status::Undoing => {}
        Status::Running => {
            return Err(AppError::conflict(
                "this import is still running; undo it once it has finished (an import whose process was stopped is continued with resume first)",
            ));
        }
        Status::Previewed => return Err(AppError::conflict("this import has not run, so there is nothing to undo")),
        Status::Undone => return Err(AppError::conflict("this import has already been undone")),
    }
    let job = require_job(&mut c, ctx, id).await?;
    tx.commit().await?;
    Ok(view(job))
}

/// Undoes a job (see the module docs), reporting `(rows undone, rows to undo)`.
pub async fn undo(
    app: &App,
    ctx: &Ctx,
    id: ImportJobId,
    mut progress: impl FnMut(u64, u64) + Send,
) -> AppResult<UndoReport> {
    begin_undo(app, ctx, id).await?;
    let mut r = app.db.read().await?;
    let job = require_job(&mut r.conn(), ctx, id).await?;
    // The timeline names whoever asked for the undo, also when a restart resumed it.
    let undoer = Ctx {
        workspace_id: ctx.workspace_id,
        actor: job.undone_by.as_deref().map_or(ctx.actor, Actor::parse),
        actor_label: format!(
            "{} (undo of import {})",
            job.undone_by_label.clone().unwrap_or_else(|| ctx.actor_label.clone()),
            job.file_name
        ),
        role: Role::Owner,
        scope: Scope::Write,
    };
    // The import's last write: a creator written to after it was changed by someone else.
    let since = job.finished_at.unwrap_or(job.updated_at);
    let rows = store::rows_to_undo(&mut r.conn(), ctx.ws(), id.0).await?;
    let created: HashSet<Uuid> = store::created_creators(&mut r.conn(), ctx.ws(), id.0).await?.into_iter().collect();
    drop(r);
    let mut report = UndoReport::default();
    let total = rows.len() as u64;
    progress(0, total);
    for (i, row) in rows.iter().enumerate() {
        match undo_row(app, &undoer, id, row, &created, since).await {
            Ok(Undone::Deleted) => report.deleted += 1,
            Ok(Undone::Restored) => report.restored += 1,
            Ok(Undone::Kept) => report.kept += 1,
            Ok(Undone::Gone) => report.gone += 1,
            Ok(Undone::Nothing) => {}
            Err(e @ (AppError::Store(_) | AppError::Internal(_))) => {
                refresh_counts(app, ctx.workspace_id, id).await?;
                return Err(e);
            }
            Err(e) => report.problems.push(RowFailure { row: row.row_number, reason: e.to_string() }),
        }
        progress(i as u64 + 1, total);
        if i % 50 == 49 {
            refresh_counts(app, ctx.workspace_id, id).await?;
        }
    }
    refresh_counts(app, ctx.workspace_id, id).await?;
    crate::search::after_write(app).await;
    let mut tx = app.db.begin().await?;
    if report.problems.is_empty() {
        let note = report.note();
        store::set_status(&mut tx.conn(), ctx.ws(), id.0, &["undoing"], "undone", note, None, now()).await?;
    } else {
        let list: Vec<String> = report.problems.iter().map(|p| format!("row {}: {}", p.row, p.reason)).collect();
        let message = format!("Undo could not restore every row — {}. Fix these and undo again.", list.join("; "));
        store::set_status(&mut tx.conn(), ctx.ws(), id.0, &["undoing"], "completed", Some(message), None, now())
            .await?;
    }
    tx.commit().await?;
    tracing::info!(job = %id, deleted = report.deleted, restored = report.restored, "import undone");
    Ok(report)
}

impl UndoReport {
    /// What the undo left alone, in words; `None` when it undid every row.
    pub fn note(&self) -> Option<String> {
        let creators = |n: u64| if n == 1 { "1 creator".to_string() } else { format!("{n} creators") };
        let mut parts = Vec::new();
        if self.kept > 0 {
            let were = if self.kept == 1 { "was" } else { "were" };
            parts.push(format!(
                "{} changed since the import {were} left as they are (undo their changes on their own pages)",
                creators(self.kept)
            ));
        }
        if self.gone > 0 {
            let were = if self.gone == 1 { "was" } else { "were" };
            parts.push(format!("{} {were} already gone (merged into another or deleted)", creators(self.gone)));
        }
        (!parts.is_empty()).then(|| format!("{}.", rapport_core::validation::capitalise(&parts.join("; "))))
    }
}

enum Undone {
    Deleted,
    Restored,
    /// Changed since the import: left as it is.
    Kept,
    /// No longer exists.
    Gone,
    Nothing,
}

async fn undo_row(
    app: &App,
    ctx: &Ctx,
    job: ImportJobId,
    row: &ProcessedRow,
    created: &HashSet<Uuid>,
    since: OffsetDateTime,
) -> AppResult<Undone> {
    let ws = ctx.ws();
    let Some(creator) = row.creator_id else { return Ok(Undone::Nothing) };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let updated_at = if matches!(row.outcome.as_str(), "created" | "updated") {
        store::creator_updated_at(&mut c, ws, creator).await?
    } else {
        None
    };
    let done = match (row.outcome.as_str(), updated_at) {
        // A creator this job also created is deleted (or kept) when its own row is undone.
        ("updated", _) if created.contains(&creator) => Undone::Nothing,
        ("created" | "updated", None) => Undone::Gone,
        ("created" | "updated", Some(at)) if at > since => Undone::Kept,
        ("created", _) => {
            store::hard_delete_creator(&mut c, ws, creator).await?;
            Undone::Deleted
        }
        ("updated", _) => {
            let before: CreatorSnapshot = serde_json::from_str(row.before.as_deref().unwrap_or("")).map_err(|e| {
                AppError::Internal(format!("row {}: the saved state is unreadable: {e}", row.row_number))
            })?;
            let current = store::load_snapshot(&mut c, ws, creator).await?;
            if !store::restore_snapshot(&mut c, ws, &before).await? {
                return Err(AppError::conflict("the creator no longer exists"));
            }
            let json = |s: &CreatorSnapshot| domain::validate(&editable(s)).map(|d| creator_json(&d)).ok();
            let changes = diff::changes(
                &current.as_ref().and_then(json).unwrap_or(Value::Null),
                &json(&before).unwrap_or(Value::Null),
            );
            timeline::record(&mut c, ctx, creator, "creator.updated", changes).await?;
            let stage_before = current.as_ref().map(|s| s.creator.stage.as_str());
            crate::pipeline::after_restore(&mut c, ctx, &before, stage_before).await?;
            Undone::Restored
        }
        _ => Undone::Nothing,
    };
    store::mark_undone(&mut c, ws, job.0, row.row_number, now()).await?;
    tx.commit().await?;
    Ok(done)
}

/// Undoes a job in the background (after [`begin_undo`] accepted it).
pub fn spawn_undo(app: App, ctx: Ctx, id: ImportJobId) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = undo(&app, &ctx, id, |_, _| {}).await {
            tracing::error!(job = %id, error = %e, "undo did not finish");
        }
    })
}
