//! `rapport import`: creators from a CSV file (or only a dry run of it), and undoing an
//! import. Progress goes to standard error, results to standard output.

use super::{DbArgs, init_logging, open};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use rapport_app::imports::{self, JobSettings, Preview, Source};
use rapport_core::import::{ImportJobId, MatchKey, Mode};
use rapport_core::platform::Platform;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    command: ImportCommand,
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Import creators from a CSV file (comma-, semicolon- or tab-separated). Rows with
    /// problems are skipped and listed with their row numbers; the others are imported.
    Creators(CreatorsArgs),
    /// Undo an import: delete the creators it created and restore the ones it updated.
    Undo(UndoArgs),
    /// Continue an import that stopped before its end (an error, or the process was
    /// stopped) from the first row it had not recorded; no row is imported twice.
    Resume(UndoArgs),
}

#[derive(Args, Debug)]
struct CreatorsArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The CSV file.
    file: PathBuf,
    /// The workspace's slug.
    #[arg(long)]
    workspace: String,
    /// `create` new creators only, `update` existing ones only, or `upsert` (both).
    #[arg(long, default_value = "create")]
    mode: String,
    /// How rows find existing creators: `email`, `email_or_handle` (by email, and a row
    /// whose email finds no one by its handles), `handle` or `id` (default: Rapport ids
    /// when the file has them, else emails, else handles).
    #[arg(long = "match")]
    match_key: Option<String>,
    /// The platform of handles in rows that name none (no Platform column, no URL).
    #[arg(long)]
    platform: Option<String>,
    /// Show what the import would do, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Change the suggested mapping of a column: `COLUMN=FIELD`, the column by its header or
    /// letter, the field by its key as the dry run lists them (`--map "Followers=instagram_followers"`,
    /// `--map C=ignore`); repeatable.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
}

#[derive(Args, Debug)]
struct UndoArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The workspace's slug.
    #[arg(long)]
    workspace: String,
    /// The job id printed by `rapport import creators` (`imp_…`).
    job_id: String,
}

impl UndoArgs {
    fn job(&self) -> Result<ImportJobId> {
        self.job_id.parse().map_err(|e| anyhow!("{}: {e}", self.job_id))
    }
}

pub async fn run(args: ImportArgs) -> Result<()> {
    match args.command {
        ImportCommand::Creators(a) => creators(a).await,
        ImportCommand::Undo(a) => undo(a).await,
        ImportCommand::Resume(a) => resume(a).await,
    }
}

fn settings(a: &CreatorsArgs) -> Result<JobSettings> {
    let mode = Mode::parse(&a.mode).map_err(|m| anyhow!("--mode {m}"))?;
    let match_key = a.match_key.as_deref().map(MatchKey::parse).transpose().map_err(|m| anyhow!("--match {m}"))?;
    let default_platform =
        a.platform.as_deref().map(Platform::parse).transpose().map_err(|m| anyhow!("--platform {m}"))?;
    Ok(JobSettings { mode, match_key, default_platform, mapping: None })
}

/// The `--map` options as (column, field) pairs.
fn overrides(a: &CreatorsArgs) -> Result<Vec<(String, String)>> {
    a.map
        .iter()
        .map(|m| {
            m.rsplit_once('=')
                .map(|(c, f)| (c.to_string(), f.to_string()))
                .ok_or_else(|| anyhow!("--map {m}: write it as COLUMN=FIELD, e.g. \"Followers=instagram_followers\""))
        })
        .collect()
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let style = ProgressStyle::with_template("{msg} [{bar:32}] {pos}/{len} rows, {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

fn print_mapping(p: &Preview) {
    println!("Columns:");
    for c in &p.columns {
        println!("  {:>3}  {:<32} → {} ({})", c.letter, c.header, c.target.label(), c.target.key());
    }
    println!("Mode: {}; matching by {}.", p.mode.slug(), p.match_key.label());
}

async fn creators(a: CreatorsArgs) -> Result<()> {
    init_logging(a.db.log_format);
    let mut settings = settings(&a)?;
    let overrides = overrides(&a)?;
    let bytes = std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    if !overrides.is_empty() {
        settings.mapping = Some(imports::mapping_with_overrides(&bytes, &overrides)?);
    }
    let file_name = a.file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let app = open(&a.db).await?;
    let ctx = rapport_app::workspaces::operator_ctx(&app, &a.workspace).await?;
    if a.dry_run {
        let p = imports::preview(&app, &ctx, Source::File, &file_name, &bytes, settings, None).await?;
        print_mapping(&p);
        for w in &p.warnings {
            println!("Warning: {w}");
        }
        let c = p.planned;
        println!(
            "Dry run of {} rows: {} would be created, {} updated, {} unchanged, {} failed. Nothing was written.",
            p.total, c.created, c.updated, c.unchanged, c.failed
        );
        for f in &p.failures {
            println!(
                "  row {}: {}",
                f.number,
                f.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
            );
        }
        if c.failed as usize > p.failures.len() {
            println!("  … and {} more rows with errors", c.failed as usize - p.failures.len());
        }
        if !p.problems.is_empty() {
            let list: Vec<String> = p.problems.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            bail!("the mapping has problems: {}", list.join("; "));
        }
        return Ok(());
    }
    // Starting over would make every row the stopped import already wrote fail as a
    // duplicate; it is continued instead.
    let unfinished = imports::list(&app, &ctx)
        .await?
        .into_iter()
        .find(|j| j.file_name == file_name && matches!(j.status, imports::Status::Running | imports::Status::Failed));
    if let Some(j) = unfinished {
        bail!(
            "import {} of {file_name} stopped after {} of {} rows; continue it with: rapport import resume --workspace {} {}",
            j.id,
            j.rows_done,
            j.total,
            a.workspace,
            j.id
        );
    }
    let job = imports::start(&app, &ctx, Source::File, &file_name, &bytes, settings).await?;
    // The job holds the file now; a large one should not stay in memory twice.
    drop(bytes);
    if let Err(e) = imports::launch(&app, &ctx, job.id).await {
        // A mapping that cannot run leaves nothing behind.
        imports::discard(&app, &ctx, job.id).await.ok();
        return Err(e).context("the import cannot run");
    }
    let progress = bar(job.total as u64, "Importing");
    let result = imports::run(&app, &ctx, job.id, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })
    .await;
    progress.finish_and_clear();
    let job = result.with_context(|| stopped(&a.workspace, job.id))?;
    report(&app, &ctx, &job, &a.workspace).await
}

fn stopped(workspace: &str, id: ImportJobId) -> String {
    format!("import {id} stopped; continue it with: rapport import resume --workspace {workspace} {id}")
}

/// Prints a finished job's counts, its first failed rows and how to undo it.
async fn report(
    app: &rapport_app::App,
    ctx: &rapport_app::context::Ctx,
    job: &imports::JobView,
    workspace: &str,
) -> Result<()> {
    let c = job.counts;
    println!(
        "Imported {}: {} created, {} updated, {} unchanged, {} failed (of {} rows).",
        job.file_name, c.created, c.updated, c.unchanged, c.failed, job.total
    );
    let failures = imports::failures(app, ctx, job.id, 21).await?;
    for f in failures.iter().take(20) {
        println!("  row {}: {}", f.row, f.reason);
    }
    if c.failed > 20 {
        println!("  … and {} more rows with errors (download them all from the import's page)", c.failed - 20);
    }
    println!("Job {}. Undo it with: rapport import undo --workspace {workspace} {}", job.id, job.id);
    Ok(())
}

/// The app, the workspace's operator context and the job a `resume` or `undo` names.
async fn job_of(a: &UndoArgs) -> Result<(rapport_app::App, rapport_app::context::Ctx, ImportJobId)> {
    init_logging(a.db.log_format);
    let id = a.job()?;
    let app = open(&a.db).await?;
    let ctx = rapport_app::workspaces::operator_ctx(&app, &a.workspace).await?;
    Ok((app, ctx, id))
}

async fn resume(a: UndoArgs) -> Result<()> {
    let (app, ctx, id) = job_of(&a).await?;
    let progress = bar(0, "Importing");
    let result = imports::resume(&app, &ctx, id, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })
    .await;
    progress.finish_and_clear();
    let job = result.with_context(|| stopped(&a.workspace, id))?;
    report(&app, &ctx, &job, &a.workspace).await
}

async fn undo(a: UndoArgs) -> Result<()> {
    let (app, ctx, id) = job_of(&a).await?;
    let progress = bar(0, "Undoing");
    let result = imports::undo(&app, &ctx, id, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })
    .await;
    progress.finish_and_clear();
    let report = result?;
    println!(
        "Undid import {id}: deleted {} it had created, restored {} it had updated.",
        count_creators(report.deleted),
        count_creators(report.restored)
    );
    if let Some(note) = report.note() {
        println!("{note}");
    }
    if !report.problems.is_empty() {
        for p in &report.problems {
            println!("  row {}: {}", p.row, p.reason);
        }
        bail!("{} rows could not be undone; fix them and run the undo again", report.problems.len());
    }
    Ok(())
}

/// "1 creator", "2 creators".
fn count_creators(n: u64) -> String {
    if n == 1 { "1 creator".into() } else { format!("{n} creators") }
}
