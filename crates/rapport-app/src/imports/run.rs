//! Running a job: rows in batches, each batch planned and written in one transaction
//! together with its rows' records in `import_job_rows` and the job's counts. A row
//! already recorded is skipped, so a resumed job (after a crash, or on a second server)
//! never writes a row twice. When a batch meets a conflict only found while writing (a
//! concurrent writer took an email in between) or a row another worker recorded
//! meanwhile, the batch is rolled back and its rows go again one transaction each, so
//! only the conflicting row fails.

use super::known::{Key, Known, fingerprint, keys};
use super::plan::{Plan, Rules, plan, plan_row};
use super::{JobView, Status, headers_of, import_ctx, mapping_of, require_job, view, write};
use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::actor::{Actor, now};
use rapport_core::import::{ImportJobId, ImportRow, Mapping, MatchKey, Mode, Record, RowOptions, read, to_row};
use rapport_core::pipeline::Stages;
use rapport_core::platform::Platform;
use rapport_core::{FieldError, ids::WorkspaceId};
use rapport_store::Conn;
use rapport_store::imports::{self as store, JobRow, RowRecord};
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// Rows written in one transaction. Larger batches save commits; this size keeps a
/// batch's transaction well under a second and the progress moving.
const BATCH: usize = 2000;

/// Starts a job that has not run: its mapping must have no problems. A running job is
/// left as it is.
pub async fn launch(app: &App, ctx: &Ctx, id: ImportJobId) -> AppResult<JobView> {
    ctx.require_write()?;
    let mut r = app.db.read().await?;
    let job = require_job(&mut r.conn(), ctx, id).await?;
    match Status::parse(&job.status) {
        Status::Running => return Ok(view(job)),
        Status::Previewed => {}
        Status::Completed | Status::Undoing | Status::Undone => {
            return Err(AppError::conflict("this import has already run"));
        }
        Status::Failed => return Err(AppError::conflict("this import stopped with an error; resume it instead")),
    }
    // The file is read outside the write transaction, which stays short.
    let (headers, mapping) = headers_of(&mut r.conn(), ctx, &job).await?;
    drop(r);
    let (mode, key, _) = settings(&job);
    mapping.check(&headers, mode, key).into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    // Only from `previewed` with the settings just checked: a concurrent change of the
    // settings or a second click finds the job moved on.
    let n = store::set_status(&mut c, ctx.ws(), id.0, &["previewed"], "running", None, None, now()).await?;
    let now_job = require_job(&mut c, ctx, id).await?;
    if n == 0 && Status::parse(&now_job.status) != Status::Running {
        return Err(AppError::conflict("this import has already run"));
    }
    let same = |j: &JobRow| (j.mapping.clone(), j.mode.clone(), j.match_key.clone(), j.default_platform.clone());
    if n == 1 && same(&now_job) != same(&job) {
        return Err(AppError::conflict("the mapping changed meanwhile; check the preview again"));
    }
    tx.commit().await?;
    tracing::info!(job = %id, "import started");
    Ok(view(now_job))
}

fn settings(job: &JobRow) -> (Mode, MatchKey, Option<Platform>) {
    (
        Mode::parse(&job.mode).unwrap_or(Mode::Create),
        MatchKey::parse(&job.match_key).unwrap_or(MatchKey::Email),
        job.default_platform.as_deref().and_then(|p| Platform::parse(p).ok()),
    )
}

/// Starts (if needed) and runs a job to the end, reporting `(rows done, rows in all)`.
/// A bad row is recorded as failed and the others go on; an error of the system stops the
/// job as `failed`, to be resumed.
pub async fn run(app: &App, ctx: &Ctx, id: ImportJobId, progress: impl FnMut(u64, u64) + Send) -> AppResult<JobView> {
    launch(app, ctx, id).await?;
    drive(app, ctx, id, progress).await
}

/// Marks a job stopped by an error as running again (so a page shows it running at
/// once); [`resume`] then does the work. A running job is left as it is.
pub async fn begin_resume(app: &App, ctx: &Ctx, id: ImportJobId) -> AppResult<JobView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let job = require_job(&mut c, ctx, id).await?;
    match Status::parse(&job.status) {
        Status::Running => {}
        Status::Failed => {
            store::set_status(&mut c, ctx.ws(), id.0, &["failed"], "running", None, None, now()).await?;
        }
        Status::Completed | Status::Undoing | Status::Undone => {
            return Err(AppError::conflict("this import has finished; there is nothing to resume"));
        }
        Status::Previewed => return Err(AppError::conflict("this import has not been started")),
    }
    let job = require_job(&mut c, ctx, id).await?;
    tx.commit().await?;
    Ok(view(job))
}

/// Continues a running or failed job from the rows not yet recorded (a finished job is
/// returned as it is).
pub async fn resume(
    app: &App,
    ctx: &Ctx,
    id: ImportJobId,
    progress: impl FnMut(u64, u64) + Send,
) -> AppResult<JobView> {
    ctx.require_write()?;
    let job = require_job(&mut app.db.read().await?.conn(), ctx, id).await?;
    match Status::parse(&job.status) {
        Status::Completed => return Ok(view(job)),
        // Its rows are gone or going: resuming would report an import that no longer stands.
        Status::Undone => return Err(AppError::conflict("this import has been undone; there is nothing to resume")),
        Status::Undoing => {
            return Err(AppError::conflict("this import is being undone; run the undo again to finish it"));
        }
        _ => {}
    }
    begin_resume(app, ctx, id).await?;
    drive(app, ctx, id, progress).await
}

async fn drive(app: &App, ctx: &Ctx, id: ImportJobId, progress: impl FnMut(u64, u64) + Send) -> AppResult<JobView> {
    let result = process_rows(app, ctx, id, None, progress).await;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    match &result {
        Ok(_) => store::set_status(&mut c, ctx.ws(), id.0, &["running"], "completed", None, None, now()).await?,
        Err(e) => {
            tracing::error!(job = %id, error = %e, "import stopped");
            let message = format!("Stopped by an error: {e}. Resume the import to continue.");
            store::set_status(&mut c, ctx.ws(), id.0, &["running"], "failed", Some(message), None, now()).await?
        }
    };
    let job = require_job(&mut c, ctx, id).await?;
    tx.commit().await?;
    result.map(|_| view(job))
}

/// Processes up to `limit` rows not yet recorded (all when `None`) of a running job and
/// returns how many this call recorded. The job stays `running`: [`run`] and [`resume`]
/// finish it.
pub async fn process_rows(
    app: &App,
    ctx: &Ctx,
    id: ImportJobId,
    limit: Option<usize>,
    mut progress: impl FnMut(u64, u64) + Send,
) -> AppResult<u64> {
    ctx.require_write()?;
    let mut r = app.db.read().await?;
    let job = require_job(&mut r.conn(), ctx, id).await?;
    if Status::parse(&job.status) != Status::Running {
        return Err(AppError::conflict("this import is not running"));
    }
    let content = store::content(&mut r.conn(), ctx.ws(), id.0).await?;
    let stages = crate::settings::load(&mut r.conn(), ctx).await?.stages;
    let done: HashSet<i64> = store::done_rows(&mut r.conn(), ctx.ws(), id.0).await?.into_iter().collect();
    drop(r);
    // The file is read record by record: a million rows are never in memory as cells.
    let mut rows = read::rows(&content)?;
    let headers = std::mem::take(&mut rows.headers);
    let mapping = mapping_of(&job, headers.len())?;
    let (mode, key, default_platform) = settings(&job);
    let job_ctx = import_ctx(ctx, &job.file_name);
    let total = job.total.max(0) as u64;
    let mut finished = done.len() as u64;
    progress(finished, total);
    let mut todo = rows.filter(|r| !matches!(r, Ok(rec) if done.contains(&rec.number)));
    let row = RowJob {
        app,
        ctx: &job_ctx,
        job: id.0,
        headers: &headers,
        mapping: &mapping,
        mode,
        key,
        default_platform,
        stages: &stages,
    };
    let mut remaining = limit.unwrap_or(usize::MAX);
    let mut recorded = 0;
    let mut batch = Vec::with_capacity(BATCH);
    while remaining > 0 {
        batch.clear();
        for rec in todo.by_ref().take(BATCH.min(remaining)) {
            batch.push(rec?);
        }
        if batch.is_empty() {
            break;
        }
        remaining -= batch.len();
        recorded += row.process_batch(&batch).await?;
        finished += batch.len() as u64;
        progress(finished, total);
        // Imported creators become findable batch by batch, not only at the end.
        crate::search::after_write(app).await;
        // Another worker may have finished the job (and someone started undoing it).
        let status = require_job(&mut app.db.read().await?.conn(), ctx, id).await?.status;
        if Status::parse(&status) != Status::Running {
            break;
        }
    }
    Ok(recorded)
}

pub(crate) async fn refresh_counts(app: &App, ws: WorkspaceId, id: ImportJobId) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    store::refresh_counts(&mut tx.conn(), ws.0, id.0, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Everything needed to process one row of a job.
struct RowJob<'a> {
    app: &'a App,
    ctx: &'a Ctx,
    job: Uuid,
    headers: &'a [String],
    mapping: &'a Mapping,
    mode: Mode,
    key: MatchKey,
    default_platform: Option<Platform>,
    stages: &'a Stages,
}

/// How a batch went.
enum Batch {
    /// Written, with every row recorded; the outcomes counted.
    Written([i64; 4]),
    /// To roll back: a row needs its own transaction.
    OneByOne,
}

/// A run of planned rows that do not depend on each other, written together.
#[derive(Default)]
struct Segment {
    plans: Vec<(i64, Plan)>,
    /// Keys claimed by the rows planned to create or update.
    claimed: HashSet<Key>,
    /// Creators the rows update.
    touched: HashSet<Uuid>,
}

impl Segment {
    /// Whether `row` must see this segment written first: it claims a key a planned row
    /// claims, or a creator it depends on is being updated.
    fn blocks(&self, known: &Known, row: &ImportRow) -> bool {
        keys(row).iter().any(|k| self.claimed.contains(k))
            || known.dependencies(row).any(|id| self.touched.contains(&id))
    }

    fn push(&mut self, number: i64, row: Option<&ImportRow>, plan: Plan) {
        let writes = match &plan {
            Plan::Create { .. } => true,
            Plan::Update { id, .. } => {
                self.touched.insert(*id);
                true
            }
            Plan::Unchanged { .. } | Plan::Fail(_) => false,
        };
        if writes && let Some(row) = row {
            self.claimed.extend(keys(row));
        }
        self.plans.push((number, plan));
    }
}

fn slot(outcome: &str) -> usize {
    match outcome {
        "created" => 0,
        "updated" => 1,
        "unchanged" => 2,
        _ => 3,
    }
}

impl RowJob<'_> {
    fn rules(&self) -> Rules<'_> {
        Rules { ws: self.ctx.ws(), mode: self.mode, key: self.key, stages: self.stages }
    }

    fn parse(&self, rec: &Record, now: OffsetDateTime) -> Result<ImportRow, Vec<FieldError>> {
        match &rec.problem {
            Some(p) => Err(vec![FieldError { field: "row".into(), message: p.clone() }]),
            None => to_row(
                self.mapping,
                self.headers,
                &rec.cells,
                &RowOptions { default_platform: self.default_platform, now },
            ),
        }
    }

    /// Plans and writes a batch of rows with their records and the job's counts, in one
    /// transaction. Returns how many rows this call recorded.
    async fn process_batch(&self, batch: &[Record]) -> AppResult<u64> {
        let t = now();
        let rows: Vec<(i64, Result<ImportRow, Vec<FieldError>>)> =
            batch.iter().map(|rec| (rec.number, self.parse(rec, t))).collect();
        let mut tx = self.app.db.begin().await?;
        let outcome = match self.write_batch(&mut tx.conn(), &rows, t).await {
            Ok(o) => o,
            Err(e @ (AppError::Store(_) | AppError::Internal(_))) => return Err(e),
            // A conflict found only while writing (another writer took an email in
            // between): the rows go one by one, so only that row fails.
            Err(_) => Batch::OneByOne,
        };
        match outcome {
            Batch::Written(counts) => {
                store::add_counts(&mut tx.conn(), self.ctx.ws(), self.job, counts, t).await?;
                tx.commit().await?;
                Ok(batch.len() as u64)
            }
            Batch::OneByOne => {
                drop(tx);
                let mut recorded = 0;
                for rec in batch {
                    if self.process(rec).await? {
                        recorded += 1;
                    }
                }
                refresh_counts(self.app, WorkspaceId(self.ctx.ws()), ImportJobId(self.job)).await?;
                Ok(recorded)
            }
        }
    }

    /// Plans the rows in runs that do not depend on each other — what the database holds
    /// about a run's keys is loaded at once — and writes each run before planning the next.
    async fn write_batch(
        &self,
        c: &mut Conn<'_>,
        rows: &[(i64, Result<ImportRow, Vec<FieldError>>)],
        t: OffsetDateTime,
    ) -> AppResult<Batch> {
        let mut records = Vec::with_capacity(rows.len());
        let rules = self.rules();
        let parsed: Vec<&ImportRow> = rows.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
        let mut known = Known::load(c, rules, &parsed).await?;
        let mut rest = rows;
        while !rest.is_empty() {
            let mut segment = Segment::default();
            let mut taken = 0;
            for (number, row) in rest {
                let ok = row.as_ref().ok();
                if !segment.plans.is_empty() && ok.is_some_and(|r| segment.blocks(&known, r)) {
                    break;
                }
                let plan = plan(&known, rules, row)?;
                segment.push(*number, ok, plan);
                taken += 1;
            }
            let written = write::apply(c, self.ctx, std::mem::take(&mut segment.plans), t).await?;
            self.store_fingerprints(c, &known, &rest[..taken], &written).await?;
            records.extend(written);
            rest = &rest[taken..];
            // What the run wrote is reloaded for the rows that depend on it.
            let stale: Vec<&ImportRow> =
                rest.iter().filter_map(|(_, r)| r.as_ref().ok()).filter(|r| segment.blocks(&known, r)).collect();
            if !stale.is_empty() {
                known.reload(c, rules, &stale, &segment.touched).await?;
            }
        }
        let mut counts = [0i64; 4];
        for r in &records {
            counts[slot(r.outcome)] += 1;
        }
        let n = records.len() as u64;
        if store::record_rows(c, self.ctx.ws(), self.job, records, t).await? != n {
            // Another worker recorded some of these rows meanwhile.
            return Ok(Batch::OneByOne);
        }
        Ok(Batch::Written(counts))
    }

    /// Stores the fingerprint of each row that left its creator as the row says (created,
    /// updated or found unchanged), unless it is the one stored already. `records` are the
    /// records of `rows`, in the same order.
    async fn store_fingerprints(
        &self,
        c: &mut Conn<'_>,
        known: &Known,
        rows: &[(i64, Result<ImportRow, Vec<FieldError>>)],
        records: &[RowRecord],
    ) -> AppResult<()> {
        let mut fps = Vec::new();
        for ((_, row), record) in rows.iter().zip(records) {
            if let (Ok(row), Some(id), "created" | "updated" | "unchanged") = (row, record.creator_id, record.outcome) {
                let fp = fingerprint(self.stages, row);
                if !known.has_fingerprint(id, &fp) {
                    fps.push((id, fp));
                }
            }
        }
        // An unchanged row and a later one updating the same creator can share a run: the
        // creator is as the last one left it.
        let mut seen = HashSet::new();
        fps.reverse();
        fps.retain(|(id, _)| seen.insert(*id));
        rapport_store::import_fingerprints::store(c, self.ctx.ws(), &fps).await?;
        Ok(())
    }

    /// Plans and writes one row with its record, in one transaction. Returns `false` when
    /// the row had already been recorded (by another worker), in which case nothing is
    /// written. Row problems — bad values, duplicates — are recorded as failures; only
    /// errors of the system are returned.
    async fn process(&self, rec: &Record) -> AppResult<bool> {
        let ws = self.ctx.ws();
        let t = now();
        let parsed = self.parse(rec, t);
        let mut tx = self.app.db.begin().await?;
        let result = {
            let mut c = tx.conn();
            match plan_row(&mut c, self.rules(), parsed).await {
                Ok(plan) => write::apply(&mut c, self.ctx, vec![(rec.number, plan)], t).await,
                Err(e) => Err(e),
            }
        };
        let records = match result {
            Ok(records) => records,
            Err(e @ (AppError::Store(_) | AppError::Internal(_))) => return Err(e),
            Err(e) => {
                // A conflict found only while writing (another writer took the email in
                // between): the row fails, the transaction is dropped, the others go on.
                drop(tx);
                let mut tx = self.app.db.begin().await?;
                let failed = RowRecord {
                    row_number: rec.number,
                    outcome: "failed",
                    creator_id: None,
                    before: None,
                    error: Some(e.to_string()),
                };
                let recorded = store::record_row(&mut tx.conn(), ws, self.job, failed, t).await?;
                tx.commit().await?;
                return Ok(recorded);
            }
        };
        let n = records.len() as u64;
        if store::record_rows(&mut tx.conn(), ws, self.job, records, t).await? != n {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Starts and runs a job in the background; the request that asked for it returns at
/// once. Errors are logged (and the job is left `failed`, to be resumed).
pub fn spawn_run(app: App, ctx: Ctx, id: ImportJobId) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match run(&app, &ctx, id, |_, _| {}).await {
            Ok(job) => tracing::info!(job = %id, created = job.counts.created, updated = job.counts.updated,
                unchanged = job.counts.unchanged, failed = job.counts.failed, "import finished"),
            Err(e) => tracing::error!(job = %id, error = %e, "import did not finish"),
        }
    })
}

/// Picks up, in the background, every job that was running or undoing when the process
/// stopped (call once at server start). Returns how many were picked up.
pub async fn resume_unfinished(app: &App) -> AppResult<usize> {
    let jobs = store::unfinished(&mut app.db.read().await?.conn()).await?;
    let n = jobs.len();
    for job in jobs {
        let ctx = Ctx::system(WorkspaceId(job.workspace_id), Actor::System, "import resume");
        let id = ImportJobId(job.id);
        let app = app.clone();
        let undoing = Status::parse(&job.status) == Status::Undoing;
        tracing::info!(job = %id, undoing, "resuming an unfinished import");
        tokio::spawn(async move {
            let result = if undoing {
                super::undo::undo(&app, &ctx, id, |_, _| {}).await.map(|_| ())
            } else {
                resume(&app, &ctx, id, |_, _| {}).await.map(|_| ())
            };
            if let Err(e) = result {
                tracing::error!(job = %id, error = %e, "resumed import did not finish");
            }
        });
    }
    Ok(n)
}
