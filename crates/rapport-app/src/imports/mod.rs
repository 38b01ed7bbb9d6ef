//! Imports of creators from CSV files. A file is previewed first — a dry run that plans
//! every row and writes nothing — then stored as a job and run in the background, in
//! batches of rows: each batch's writes and its rows' records in the job go into one
//! transaction, so a crash loses nothing and a resumed job never writes a row twice. Undo deletes the creators a
//! job created and puts back the ones it updated exactly as they were.

mod known;
mod plan;
mod preview;
mod run;
mod undo;
mod write;

pub use preview::{ColumnPreview, PlannedRow, Preview, job_preview, preview};
pub use run::{begin_resume, launch, process_rows, resume, resume_unfinished, run, spawn_run};
pub use undo::{UndoReport, begin_undo, spawn_undo, undo};

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::actor::{Actor, now};
use rapport_core::import::{ImportJobId, Mapping, MatchKey, Mode, Table, read};
use rapport_core::platform::Platform;
use rapport_core::{FieldError, Invalid};
use rapport_store::Conn;
use rapport_store::imports::{self as store, JobRow};
use time::OffsetDateTime;

/// The largest file accepted from a browser upload.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The largest file accepted from the command line (`rapport import creators FILE`).
pub const MAX_CLI_FILE_BYTES: usize = 1024 * 1024 * 1024;

/// Where a file comes from, which sets how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Uploaded through the web page or the API.
    Upload,
    /// Read by the command line from the operator's disk.
    File,
}

impl Source {
    pub fn max_bytes(self) -> usize {
        match self {
            Source::Upload => MAX_FILE_BYTES,
            Source::File => MAX_CLI_FILE_BYTES,
        }
    }
}
/// How many rows a preview shows.
pub const PREVIEW_ROWS: usize = 20;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Uploaded and previewed; the mapping can still change.
    Previewed,
    Running,
    Completed,
    /// Stopped by an error of the system (not of a row); it can be resumed.
    Failed,
    Undoing,
    Undone,
}

impl Status {
    pub fn slug(self) -> &'static str {
        match self {
            Status::Previewed => "previewed",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Undoing => "undoing",
            Status::Undone => "undone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Previewed => "Not started",
            Status::Running => "Running",
            Status::Completed => "Completed",
            Status::Failed => "Stopped by an error",
            Status::Undoing => "Undoing",
            Status::Undone => "Undone",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "running" => Status::Running,
            "completed" => Status::Completed,
            "failed" => Status::Failed,
            "undoing" => Status::Undoing,
            "undone" => Status::Undone,
            _ => Status::Previewed,
        }
    }
}

/// What happened (or would happen) to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Failed,
}

impl Outcome {
    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
        }
    }
}

/// Rows per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
}

impl Counts {
    pub(crate) fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Failed => self.failed += 1,
        }
    }
}

/// How to import: the mode, the match key (chosen from the mapping when `None`), the
/// platform of handles that name none, and the column mapping (suggested when `None`).
#[derive(Debug, Clone)]
pub struct JobSettings {
    pub mode: Mode,
    pub match_key: Option<MatchKey>,
    pub default_platform: Option<Platform>,
    /// One target key per column (`display_name`, `instagram_followers`, `ignore`, …).
    pub mapping: Option<Vec<String>>,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings { mode: Mode::Create, match_key: None, default_platform: None, mapping: None }
    }
}

impl JobSettings {
    /// Mode, match key and default platform as a form or the API gives them (blank: create,
    /// suggested key, no platform), naming each bad one in `e`; the mapping is left suggested.
    pub fn from_text(mode: &str, key: &str, platform: &str, e: &mut Invalid) -> JobSettings {
        let mode = match mode.trim() {
            "" => Mode::Create,
            m => Mode::parse(m).unwrap_or_else(|message| {
                e.add("mode", message);
                Mode::Create
            }),
        };
        let match_key = match key.trim() {
            "" => None,
            k => MatchKey::parse(k).map_err(|message| e.add("match_key", message)).ok(),
        };
        let default_platform = match platform.trim() {
            "" => None,
            p => Platform::parse(p).map_err(|message| e.add("platform", message)).ok(),
        };
        JobSettings { mode, match_key, default_platform, mapping: None }
    }
}

/// An import job as shown.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: ImportJobId,
    pub file_name: String,
    pub mode: Mode,
    pub match_key: MatchKey,
    pub default_platform: Option<Platform>,
    pub status: Status,
    /// Data rows in the file.
    pub total: i64,
    pub counts: Counts,
    pub rows_done: i64,
    pub rows_undone: i64,
    /// Why the job stopped, or what its undo could not do.
    pub error: Option<String>,
    pub created_by_label: String,
    pub undone_by_label: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub mapping: Vec<String>,
}

impl JobView {
    /// Whether undo is possible now.
    pub fn can_undo(&self) -> bool {
        matches!(self.status, Status::Completed | Status::Failed)
            && self.counts.created + self.counts.updated > self.rows_undone
    }

    /// Progress in percent (of rows processed, or undone while undoing).
    pub fn percent(&self) -> i64 {
        let (done, of) = match self.status {
            Status::Undoing => (self.rows_undone, self.counts.created + self.counts.updated),
            _ => (self.rows_done, self.total),
        };
        if of == 0 { 100 } else { (done * 100 / of).clamp(0, 100) }
    }
}

fn view(j: JobRow) -> JobView {
    JobView {
        id: ImportJobId(j.id),
        file_name: j.file_name,
        mode: Mode::parse(&j.mode).unwrap_or(Mode::Create),
        match_key: MatchKey::parse(&j.match_key).unwrap_or(MatchKey::Email),
        default_platform: j.default_platform.as_deref().and_then(|p| Platform::parse(p).ok()),
        status: Status::parse(&j.status),
        total: j.total,
        counts: Counts { created: j.created, updated: j.updated, unchanged: j.unchanged, failed: j.failed },
        rows_done: j.rows_done,
        rows_undone: j.rows_undone,
        error: j.error,
        created_by_label: j.created_by_label,
        undone_by_label: j.undone_by_label,
        created_at: j.created_at,
        updated_at: j.updated_at,
        started_at: j.started_at,
        finished_at: j.finished_at,
        mapping: serde_json::from_str(&j.mapping).unwrap_or_default(),
    }
}

/// The job with this id in the caller's workspace, or 404.
pub(crate) async fn require_job(c: &mut Conn<'_>, ctx: &Ctx, id: ImportJobId) -> AppResult<JobRow> {
    store::get_job(c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)
}

/// The context rows are written in: the import as the actor, named after the file.
pub(crate) fn import_ctx(ctx: &Ctx, file_name: &str) -> Ctx {
    Ctx::system(ctx.workspace_id, Actor::Import, &format!("Import {file_name}"))
}

/// A row's problems as one line: "email: must be …; followers: …".
pub(crate) fn reason(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

/// The job's file, read again, and its mapping.
pub(crate) async fn table_of(c: &mut Conn<'_>, ctx: &Ctx, job: &JobRow) -> AppResult<(Table, Mapping)> {
    let content = store::content(c, ctx.ws(), job.id).await?;
    let table = read::read_text(&content)?;
    let mapping = mapping_of(job, table.headers.len())?;
    Ok((table, mapping))
}

/// The header of a job's file and its mapping, without reading the rows.
pub(crate) async fn headers_of(c: &mut Conn<'_>, ctx: &Ctx, job: &JobRow) -> AppResult<(Vec<String>, Mapping)> {
    let content = store::content(c, ctx.ws(), job.id).await?;
    let headers = read::rows(&content)?.headers;
    let mapping = mapping_of(job, headers.len())?;
    Ok((headers, mapping))
}

/// A job's stored mapping, for a file of `width` columns.
pub(crate) fn mapping_of(job: &JobRow, width: usize) -> AppResult<Mapping> {
    let keys: Vec<String> = serde_json::from_str(&job.mapping).unwrap_or_default();
    Ok(Mapping::from_keys(&keys, width)?)
}

/// Just the file name, without any path, of a sensible length.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.is_empty() { "upload.csv".into() } else { clean }
}

fn check_size(bytes: &[u8], source: Source) -> Result<(), Invalid> {
    let max = source.max_bytes();
    if bytes.len() > max {
        let message = format!("is larger than {} MB; split it into smaller files", max / (1024 * 1024));
        return Err(Invalid::one("file", message));
    }
    if bytes.is_empty() {
        return Err(Invalid::one("file", "is empty"));
    }
    Ok(())
}

/// Stores an uploaded file as a job that has not run yet (status `previewed`), with the
/// given or suggested mapping. Nothing else is written.
pub async fn start(
    app: &App,
    ctx: &Ctx,
    source: Source,
    file_name: &str,
    bytes: &[u8],
    settings: JobSettings,
) -> AppResult<JobView> {
    ctx.require_write()?;
    check_size(bytes, source)?;
    let decoded = read::decode(bytes)?;
    // Only the first rows are kept (for the suggested mapping); the rest are counted.
    let mut rows = read::rows(&decoded.text)?;
    let headers = std::mem::take(&mut rows.headers);
    let mut first = Vec::new();
    let mut total = 0i64;
    for rec in rows {
        let rec = rec?;
        if first.len() < PREVIEW_ROWS {
            first.push(rec.cells);
        }
        total += 1;
    }
    if total == 0 {
        return Err(Invalid::one("file", "has a header but no rows under it").into());
    }
    let mapping = match &settings.mapping {
        Some(keys) => Mapping::from_keys(keys, headers.len())?,
        None => Mapping::suggest(&headers, &first),
    };
    let key = settings.match_key.unwrap_or_else(|| MatchKey::suggest(&mapping));
    let t = now();
    let row = JobRow {
        id: ImportJobId::new().0,
        workspace_id: ctx.ws(),
        file_name: clean_file_name(file_name),
        mode: settings.mode.slug().into(),
        match_key: key.slug().into(),
        default_platform: settings.default_platform.map(|p| p.slug().to_string()),
        status: Status::Previewed.slug().into(),
        total,
        created: 0,
        updated: 0,
        unchanged: 0,
        failed: 0,
        rows_done: 0,
        rows_undone: 0,
        mapping: serde_json::to_string(&mapping.keys()).map_err(|e| AppError::Internal(e.to_string()))?,
        error: None,
        created_by: ctx.actor.to_string(),
        created_by_label: ctx.actor_label.clone(),
        undone_by: None,
        undone_by_label: None,
        created_at: t,
        updated_at: t,
        started_at: None,
        finished_at: None,
    };
    let mut tx = app.db.begin().await?;
    store::insert_job(&mut tx.conn(), &row, decoded.text).await?;
    tx.commit().await?;
    tracing::info!(job = %ImportJobId(row.id), rows = row.total, "import uploaded");
    Ok(view(row))
}

/// The mapping a file would be suggested, with some columns given other targets
/// ([`Mapping::with_overrides`]), as the keys [`JobSettings::mapping`] takes: how the command
/// line edits a mapping before it runs. Reads the header and the first rows only.
pub fn mapping_with_overrides(bytes: &[u8], overrides: &[(String, String)]) -> AppResult<Vec<String>> {
    let decoded = rapport_core::import::read::decode(bytes)?;
    let mut rows = rapport_core::import::rows(&decoded.text)?;
    let headers = std::mem::take(&mut rows.headers);
    let samples: Vec<Vec<String>> = rows.take(PREVIEW_ROWS).filter_map(Result::ok).map(|r| r.cells).collect();
    Ok(Mapping::suggest(&headers, &samples).with_overrides(&headers, overrides)?.keys())
}

/// The mapping suggested for a table, from its headers and first rows.
pub(crate) fn suggested(table: &Table) -> Mapping {
    let samples: Vec<Vec<String>> = table.records.iter().take(PREVIEW_ROWS).map(|r| r.cells.clone()).collect();
    Mapping::suggest(&table.headers, &samples)
}

/// Changes the mode, match key, default platform and mapping of a job not yet run.
pub async fn configure(app: &App, ctx: &Ctx, id: ImportJobId, settings: JobSettings) -> AppResult<JobView> {
    ctx.require_write()?;
    let mut r = app.db.read().await?;
    let job = require_job(&mut r.conn(), ctx, id).await?;
    let (table, current) = table_of(&mut r.conn(), ctx, &job).await?;
    drop(r);
    let mapping = match &settings.mapping {
        Some(keys) => Mapping::from_keys(keys, table.headers.len())?,
        None => current,
    };
    let key = settings.match_key.unwrap_or_else(|| MatchKey::suggest(&mapping));
    let keys = serde_json::to_string(&mapping.keys()).map_err(|e| AppError::Internal(e.to_string()))?;
    let platform = settings.default_platform.map(|p| p.slug());
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let changed =
        store::configure(&mut c, ctx.ws(), id.0, settings.mode.slug(), key.slug(), platform, &keys, now()).await?;
    if changed == 0 {
        return Err(AppError::conflict("this import has already run; its settings can no longer change"));
    }
    let job = require_job(&mut c, ctx, id).await?;
    tx.commit().await?;
    Ok(view(job))
}

pub async fn get(app: &App, ctx: &Ctx, id: ImportJobId) -> AppResult<JobView> {
    ctx.require_write()?;
    Ok(view(require_job(&mut app.db.read().await?.conn(), ctx, id).await?))
}

/// The workspace's imports, newest first.
pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<JobView>> {
    ctx.require_write()?;
    let rows = store::list_jobs(&mut app.db.read().await?.conn(), ctx.ws(), 200).await?;
    Ok(rows.into_iter().map(view).collect())
}

/// Deletes a job that has not run (its stored file goes with it).
pub async fn discard(app: &App, ctx: &Ctx, id: ImportJobId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let job = require_job(&mut tx.conn(), ctx, id).await?;
    if store::delete_job(&mut tx.conn(), ctx.ws(), job.id).await? == 0 {
        return Err(AppError::conflict("only an import that has not run can be discarded; undo it instead"));
    }
    tx.commit().await?;
    Ok(())
}

/// A failed row and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFailure {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: i64,
    pub reason: String,
}

/// The first `limit` failed rows, in file order.
pub async fn failures(app: &App, ctx: &Ctx, id: ImportJobId, limit: i64) -> AppResult<Vec<RowFailure>> {
    ctx.require_write()?;
    let mut r = app.db.read().await?;
    require_job(&mut r.conn(), ctx, id).await?;
    let rows = store::failed_rows(&mut r.conn(), ctx.ws(), id.0, limit).await?;
    Ok(rows.into_iter().map(|f| RowFailure { row: f.row_number, reason: f.error.unwrap_or_default() }).collect())
}

/// The failed rows as CSV: the row number, the reason, then the row as it was in the
/// file, so it can be fixed and imported again.
pub async fn errors_csv(app: &App, ctx: &Ctx, id: ImportJobId) -> AppResult<Vec<u8>> {
    ctx.require_write()?;
    let mut r = app.db.read().await?;
    let job = require_job(&mut r.conn(), ctx, id).await?;
    let (table, _) = table_of(&mut r.conn(), ctx, &job).await?;
    let failed = store::failed_rows(&mut r.conn(), ctx.ws(), id.0, i64::MAX).await?;
    // A byte-order mark first: Excel opens a CSV without one in the system's legacy
    // encoding and garbles accented names (Rapport's import skips it).
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer("\u{feff}".as_bytes().to_vec());
    let csv_err = |e: csv::Error| AppError::Internal(e.to_string());
    // Every cell from the file — headers too — and the reasons are written as text, never as a
    // formula a spreadsheet would run.
    let text = |c: &str| rapport_core::spreadsheet::escape_formula(c).into_owned();
    let mut header = vec!["row".to_string(), "error".to_string()];
    header.extend(table.headers.iter().map(|h| text(h)));
    w.write_record(&header).map_err(csv_err)?;
    let originals: std::collections::HashMap<i64, &Vec<String>> =
        table.records.iter().map(|r| (r.number, &r.cells)).collect();
    for f in failed {
        let mut rec = vec![f.row_number.to_string(), text(&f.error.unwrap_or_default())];
        if let Some(cells) = originals.get(&f.row_number) {
            rec.extend(cells.iter().map(|c| text(c)));
        }
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| AppError::Internal(e.to_string()))
}
