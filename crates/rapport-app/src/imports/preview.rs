//! The dry run: the file read, the mapping suggested (or as edited), and every row
//! planned against the workspace as it is — nothing is written.

use super::plan::{Plan, Rules, plan_row};
use super::{Counts, JobSettings, Outcome, PREVIEW_ROWS, require_job, suggested, table_of};
use crate::App;
use crate::context::Ctx;
use crate::error::AppResult;
use rapport_core::FieldError;
use rapport_core::actor::now;
use rapport_core::ids::CreatorId;
use rapport_core::import::{ImportJobId, ImportRow, Mapping, MatchKey, Mode, RowOptions, Table, Target, read, to_row};
use rapport_core::platform::Platform;
use std::collections::HashMap;

/// One column of the file and where it goes.
#[derive(Debug, Clone)]
pub struct ColumnPreview {
    pub index: usize,
    /// The spreadsheet letter: A, B, …
    pub letter: String,
    pub header: String,
    pub target: Target,
    /// A few values from the first rows.
    pub samples: Vec<String>,
}

/// A row and what importing it would do.
#[derive(Debug, Clone)]
pub struct PlannedRow {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub number: i64,
    pub outcome: Outcome,
    /// The creator's name after the import.
    pub name: String,
    /// The existing creator it updates (or leaves unchanged).
    pub creator: Option<CreatorId>,
    /// What an update changes.
    pub changes: Vec<String>,
    pub errors: Vec<FieldError>,
    pub cells: Vec<String>,
}

/// Everything the mapping step shows.
#[derive(Debug, Clone)]
pub struct Preview {
    pub file_name: String,
    pub separator: char,
    pub headers: Vec<String>,
    pub columns: Vec<ColumnPreview>,
    pub mapping: Mapping,
    pub mode: Mode,
    pub match_key: MatchKey,
    pub default_platform: Option<Platform>,
    /// What is wrong with the mapping (by `mapping.{column}` or `match_key`); the import
    /// cannot run until it is empty.
    pub problems: Vec<FieldError>,
    pub warnings: Vec<String>,
    /// Data rows in the file.
    pub total: usize,
    /// How many rows were planned (all, unless a limit was given).
    pub planned_rows: usize,
    pub planned: Counts,
    /// The first rows, whatever their outcome.
    pub rows: Vec<PlannedRow>,
    /// The first failing rows among those planned.
    pub failures: Vec<PlannedRow>,
}

/// Plans an uploaded file without storing anything (the CLI's `--dry-run`). With
/// `plan_limit`, only that many rows are planned; the counts say how many.
pub async fn preview(
    app: &App,
    ctx: &Ctx,
    source: super::Source,
    file_name: &str,
    bytes: &[u8],
    settings: JobSettings,
    plan_limit: Option<usize>,
) -> AppResult<Preview> {
    ctx.require_write()?;
    super::check_size(bytes, source)?;
    let table = read::read_table(bytes)?;
    let mapping = match &settings.mapping {
        Some(keys) => Mapping::from_keys(keys, table.headers.len())?,
        None => suggested(&table),
    };
    build(app, ctx, file_name, table, mapping, &settings, plan_limit).await
}

/// The dry run of a stored job with its current settings.
pub async fn job_preview(app: &App, ctx: &Ctx, id: ImportJobId, plan_limit: Option<usize>) -> AppResult<Preview> {
    ctx.require_write()?;
    let mut r = app.db.read().await?;
    let job = require_job(&mut r.conn(), ctx, id).await?;
    let (table, mapping) = table_of(&mut r.conn(), ctx, &job).await?;
    drop(r);
    let settings = JobSettings {
        mode: Mode::parse(&job.mode).unwrap_or(Mode::Create),
        match_key: MatchKey::parse(&job.match_key).ok(),
        default_platform: job.default_platform.as_deref().and_then(|p| Platform::parse(p).ok()),
        mapping: None,
    };
    build(app, ctx, &job.file_name, table, mapping, &settings, plan_limit).await
}

/// The keys a new creator would claim, to spot rows repeating an earlier new creator, each
/// with whether the run finds a creator by it (the match key) or only refuses a second
/// creator holding it.
fn claims(row: &ImportRow, key: MatchKey) -> Vec<(String, bool)> {
    let by_email = matches!(key, MatchKey::Email | MatchKey::EmailOrHandle);
    let mut keys: Vec<(String, bool)> = row.email().map(|e| (format!("email:{e}"), by_email)).into_iter().collect();
    let by_handle = matches!(key, MatchKey::Handle | MatchKey::EmailOrHandle);
    keys.extend(row.accounts.iter().map(|a| (format!("{}:{}", a.platform.slug(), a.handle.normalized), by_handle)));
    keys
}

async fn build(
    app: &App,
    ctx: &Ctx,
    file_name: &str,
    table: Table,
    mapping: Mapping,
    settings: &JobSettings,
    plan_limit: Option<usize>,
) -> AppResult<Preview> {
    let key = settings.match_key.unwrap_or_else(|| MatchKey::suggest(&mapping));
    let problems = mapping.check(&table.headers, settings.mode, key).errors;
    let columns = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| ColumnPreview {
            index: i,
            letter: read::column_letter(i),
            header: h.clone(),
            target: mapping.columns.get(i).copied().unwrap_or(Target::Ignore),
            samples: table
                .records
                .iter()
                .filter_map(|r| r.cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty()))
                .take(3)
                .map(|c| c.chars().take(80).collect())
                .collect(),
        })
        .collect();
    let options = RowOptions { default_platform: settings.default_platform, now: now() };
    let limit = plan_limit.unwrap_or(usize::MAX);
    let mut planned = Counts::default();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    // Nothing is written, so a row repeating a creator an earlier row creates is judged
    // against that row: a duplicate when creating, an update (or nothing) when upserting.
    let mut new_creators: HashMap<String, (i64, Vec<String>)> = HashMap::new();
    let mut r = app.db.read().await?;
    let stages = crate::settings::load(&mut r.conn(), ctx).await?.stages;
    for rec in table.records.iter().take(limit) {
        let parsed = match &rec.problem {
            Some(p) => Err(vec![FieldError { field: "row".into(), message: p.clone() }]),
            None => to_row(&mapping, &table.headers, &rec.cells, &options),
        };
        let keys = parsed.as_ref().map(|row| claims(row, key)).unwrap_or_default();
        let rules = Rules { ws: ctx.ws(), mode: settings.mode, key, stages: &stages };
        let plan = plan_row(&mut r.conn(), rules, parsed).await?;
        // An earlier new creator this row finds by the match key (first), or else one it
        // only collides with.
        let earlier = match &plan {
            Plan::Create { .. } => {
                let found = |by_match: bool| {
                    keys.iter()
                        .filter(|(_, m)| *m == by_match)
                        .find_map(|(k, m)| new_creators.get(k).map(|e| (k, *m, e)))
                };
                found(true).or_else(|| found(false))
            }
            // By email, else handle: a row whose email an earlier row's new creator holds
            // finds that creator first, whatever creator its handles found here.
            Plan::Update { .. } | Plan::Unchanged { .. } if key == MatchKey::EmailOrHandle => keys
                .iter()
                .filter(|(k, _)| k.starts_with("email:"))
                .find_map(|(k, m)| new_creators.get(k).map(|e| (k, *m, e))),
            _ => None,
        };
        let (outcome, errors) = match (&plan, earlier) {
            // The run then finds the new creator by the email, and the handle that found
            // another creator here refuses the row.
            (Plan::Update { id, .. } | Plan::Unchanged { id, .. }, Some((_, _, (first, _)))) => {
                let msg = format!(
                    "belongs to another creator ({}), while the row's email finds the creator row {first} creates",
                    CreatorId(*id)
                );
                (Outcome::Failed, vec![FieldError { field: "handle".into(), message: msg }])
            }
            (_, Some((k, matched, (first, _)))) if settings.mode == Mode::Create || !matched => {
                let field = k.split(':').next().map_or("handle", |f| if f == "email" { "email" } else { "handle" });
                // Outside create mode this arm holds only rows that do not match by the key.
                let msg = if settings.mode == Mode::Create {
                    format!("is also in row {first}, which creates this creator first")
                } else {
                    format!(
                        "is also in row {first}, which creates its creator first; rows find creators by {} here",
                        key.label()
                    )
                };
                (Outcome::Failed, vec![FieldError { field: field.into(), message: msg }])
            }
            (_, Some((_, _, (_, cells)))) if *cells == rec.cells => (Outcome::Unchanged, vec![]),
            (_, Some(_)) => (Outcome::Updated, vec![]),
            (Plan::Create { .. }, None) => (Outcome::Created, vec![]),
            (Plan::Update { .. }, None) => (Outcome::Updated, vec![]),
            (Plan::Unchanged { .. }, None) => (Outcome::Unchanged, vec![]),
            (Plan::Fail(errors), None) => (Outcome::Failed, errors.clone()),
        };
        if outcome == Outcome::Created {
            for (k, _) in keys {
                new_creators.entry(k).or_insert_with(|| (rec.number, rec.cells.clone()));
            }
        }
        planned.add(outcome);
        let creator = match &plan {
            Plan::Update { id, .. } | Plan::Unchanged { id, .. } if outcome != Outcome::Failed => Some(CreatorId(*id)),
            _ => None,
        };
        let row = PlannedRow {
            number: rec.number,
            outcome,
            name: plan.name(),
            creator,
            changes: plan.changed_fields(),
            errors,
            cells: rec.cells.clone(),
        };
        if outcome == Outcome::Failed && failures.len() < 100 {
            failures.push(row.clone());
        }
        if rows.len() < PREVIEW_ROWS {
            rows.push(row);
        }
    }
    Ok(Preview {
        file_name: file_name.to_owned(),
        separator: table.separator,
        headers: table.headers.clone(),
        columns,
        mapping,
        mode: settings.mode,
        match_key: key,
        default_platform: settings.default_platform,
        problems,
        warnings: table.warnings.clone(),
        total: table.records.len(),
        planned_rows: table.records.len().min(limit),
        planned,
        rows,
        failures,
    })
}
