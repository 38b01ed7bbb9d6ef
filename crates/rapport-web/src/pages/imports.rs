//! Importing creators from a CSV: upload, the mapping step with a dry-run preview, the
//! job page with live progress, failed rows as CSV, and undo. Members and above may
//! import; viewers get 403. Jobs run in the background; their state is in the database.

use super::upload::Upload;
use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format::{exact, grouped, relative};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::imports::{self, JobSettings, JobView, MAX_FILE_BYTES, Outcome, Preview, Source, Status};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::import::{ImportJobId, MatchKey, Mode, Target};
use rapport_core::platform::Platform;

/// Rows planned for the preview on the mapping page (the run itself handles every row).
const PREVIEW_PLAN_LIMIT: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(list_imports).post(create_import).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 256 * 1024)),
        )
        .route("/imports/{id}", get(show_import).post(update_import))
        .route("/imports/{id}/discard", post(discard_import))
        .route("/imports/{id}/undo", post(undo_import))
        .route("/imports/{id}/resume", post(resume_import))
        .route("/imports/{id}/errors.csv", get(download_errors))
}

fn job_id(s: &str) -> Result<ImportJobId, PageError> {
    s.parse().map_err(|_| PageError(AppError::NotFound))
}

/// An option in a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn mode_choices(current: Mode) -> Vec<Choice> {
    Mode::ALL
        .iter()
        .map(|m| Choice { value: m.slug().into(), label: m.label().into(), selected: *m == current })
        .collect()
}

fn key_choices(current: Option<MatchKey>) -> Vec<Choice> {
    let mut out = vec![Choice { value: String::new(), label: "Automatic".into(), selected: current.is_none() }];
    out.extend(MatchKey::ALL.iter().map(|k| Choice {
        value: k.slug().into(),
        label: format!("By {}", k.label()),
        selected: Some(*k) == current,
    }));
    out
}

fn platform_choices(current: Option<Platform>) -> Vec<Choice> {
    let mut out = vec![Choice { value: String::new(), label: "None".into(), selected: current.is_none() }];
    out.extend(Platform::ALL.iter().map(|p| Choice {
        value: p.slug().into(),
        label: p.label().into(),
        selected: Some(*p) == current,
    }));
    out
}

/// Upload settings as typed, kept when the form comes back with an error.
#[derive(Default)]
struct UploadForm {
    file_name: String,
    bytes: Vec<u8>,
    mode: String,
    match_key: String,
    platform: String,
}

pub struct JobItem {
    pub id: String,
    pub file_name: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub total: String,
    pub created: String,
    pub updated: String,
    pub unchanged: String,
    pub failed: String,
    pub by: String,
    pub when: String,
    pub when_exact: String,
}

fn job_item(j: &JobView, t: time::OffsetDateTime) -> JobItem {
    JobItem {
        id: j.id.to_string(),
        file_name: j.file_name.clone(),
        status: j.status.slug(),
        status_label: j.status.label(),
        total: grouped(j.total),
        created: grouped(j.counts.created),
        updated: grouped(j.counts.updated),
        unchanged: grouped(j.counts.unchanged),
        failed: grouped(j.counts.failed),
        by: j.created_by_label.clone(),
        when: relative(j.created_at, t),
        when_exact: exact(j.created_at),
    }
}

#[derive(Template)]
#[template(path = "imports/list.html")]
struct ListPage {
    layout: Layout,
    jobs: Vec<JobItem>,
    modes: Vec<Choice>,
    keys: Vec<Choice>,
    platforms: Vec<Choice>,
    errors: Vec<(String, String)>,
}

async fn render_list(
    state: &AppState,
    session: &Session,
    flash: Flash,
    form: &UploadForm,
    errors: Vec<(String, String)>,
) -> Result<ListPage, PageError> {
    let ctx = session.ctx();
    let t = now();
    let jobs = imports::list(&state.app, ctx).await?.iter().map(|j| job_item(j, t)).collect();
    let mut ignored = Invalid::new();
    let s = JobSettings::from_text(&form.mode, &form.match_key, &form.platform, &mut ignored);
    let layout = Layout::new(state, session, "Import creators", "imports", flash).await?;
    Ok(ListPage {
        layout,
        jobs,
        modes: mode_choices(s.mode),
        keys: key_choices(s.match_key),
        platforms: platform_choices(s.default_platform),
        errors,
    })
}

async fn list_imports(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    session.ctx().require_write()?;
    let page = render_list(&state, &session, flash, &UploadForm::default(), vec![]).await?;
    Ok(Html(page.render()?).into_response())
}

/// Reads the multipart upload; the file may be at most [`MAX_FILE_BYTES`].
async fn read_upload(multipart: &mut Multipart) -> Result<(Upload, UploadForm), Invalid> {
    let u = super::upload::read(multipart, MAX_FILE_BYTES).await?;
    let form = UploadForm {
        file_name: u.file_name.clone(),
        bytes: Vec::new(),
        mode: u.field("mode").to_string(),
        match_key: u.field("match_key").to_string(),
        platform: u.field("platform").to_string(),
    };
    Ok((u, form))
}

async fn create_import(
    State(state): State<AppState>,
    session: Session,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let ctx = session.ctx().clone();
    ctx.require_write()?;
    let (upload, mut form) = match read_upload(&mut multipart).await {
        Ok(f) => f,
        Err(e) => {
            // The CSRF token may not have been read; a failed upload writes nothing anyway.
            let errors = e.errors.into_iter().map(|f| (f.field, f.message)).collect();
            let page = render_list(&state, &session, Flash(None), &UploadForm::default(), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    upload.check_csrf(&session)?;
    form.bytes = upload.bytes;
    let mut e = Invalid::new();
    let settings = JobSettings::from_text(&form.mode, &form.match_key, &form.platform, &mut e);
    if form.bytes.is_empty() {
        e.add("file", "is missing: choose a CSV file to import");
    }
    let result = match e.into_result(()) {
        Ok(()) => imports::start(&state.app, &ctx, Source::Upload, &form.file_name, &form.bytes, settings).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(job) => Ok(redirect_with_flash(&state, &format!("/imports/{}", job.id), "File read — check the mapping")),
        Err(AppError::Invalid(e)) => {
            let errors = e.errors.into_iter().map(|f| (f.field, f.message)).collect();
            let page = render_list(&state, &session, Flash(None), &form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A column on the mapping step.
pub struct MapColumn {
    pub index: usize,
    pub letter: String,
    pub header: String,
    pub samples: String,
    pub selected: String,
    pub error: Option<String>,
}

/// A group of targets in the mapping select.
pub struct TargetGroup {
    pub label: String,
    pub options: Vec<(String, String)>,
}

fn target_groups() -> Vec<TargetGroup> {
    let mut groups: Vec<TargetGroup> = Vec::new();
    for t in Target::all() {
        let label = t.group();
        match groups.last_mut() {
            Some(g) if g.label == label => g.options.push((t.key(), t.label())),
            _ => groups.push(TargetGroup { label, options: vec![(t.key(), t.label())] }),
        }
    }
    groups
}

/// A row of the preview table.
pub struct PreviewItem {
    pub number: i64,
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub name: String,
    pub creator: Option<String>,
    pub details: Vec<String>,
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Created => "New",
        Outcome::Updated => "Update",
        Outcome::Unchanged => "No change",
        Outcome::Failed => "Error",
    }
}

fn preview_item(r: &imports::PlannedRow) -> PreviewItem {
    let details = if r.outcome == Outcome::Failed {
        r.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect()
    } else if r.changes.is_empty() {
        vec![]
    } else {
        vec![format!("Changes {}", r.changes.join(", "))]
    };
    PreviewItem {
        number: r.number,
        outcome: r.outcome.slug(),
        outcome_label: outcome_label(r.outcome),
        name: r.name.clone(),
        creator: r.creator.map(|c| c.to_string()),
        details,
    }
}

#[derive(Template)]
#[template(path = "imports/mapping.html")]
struct MappingPage {
    layout: Layout,
    job: JobItem,
    columns: Vec<MapColumn>,
    groups: Vec<TargetGroup>,
    modes: Vec<Choice>,
    keys: Vec<Choice>,
    platforms: Vec<Choice>,
    problems: Vec<(String, String, String)>,
    warnings: Vec<String>,
    separator: String,
    total: String,
    planned_rows: String,
    all_planned: bool,
    created: String,
    updated: String,
    unchanged: String,
    failed: String,
    rows: Vec<PreviewItem>,
    failures: Vec<PreviewItem>,
}

fn render_mapping(layout: Layout, job: &JobView, p: &Preview, extra: Vec<(String, String)>) -> MappingPage {
    let mut problems: Vec<(String, String, String)> = Vec::new();
    for (field, message) in p.problems.iter().map(|e| (e.field.clone(), e.message.clone())).chain(extra) {
        let (anchor, label) = match field.strip_prefix("mapping.").and_then(|i| i.parse::<usize>().ok()) {
            Some(i) => (
                format!("col-{i}"),
                format!(
                    "Column {} “{}”:",
                    rapport_core::import::column_letter(i),
                    p.headers.get(i).cloned().unwrap_or_default()
                ),
            ),
            None if field == "match_key" => ("s-match".into(), "Matching:".into()),
            None if field == "mode" => ("s-mode".into(), "Mode:".into()),
            None if field == "platform" => ("s-platform".into(), "Default platform:".into()),
            None => ("mapping".into(), "Mapping:".into()),
        };
        problems.push((anchor, label, message));
    }
    let columns = p
        .columns
        .iter()
        .map(|c| MapColumn {
            index: c.index,
            letter: c.letter.clone(),
            header: c.header.clone(),
            samples: c.samples.join(" · "),
            selected: c.target.key(),
            error: p.problems.iter().find(|e| e.field == format!("mapping.{}", c.index)).map(|e| e.message.clone()),
        })
        .collect();
    MappingPage {
        layout,
        job: job_item(job, now()),
        columns,
        groups: target_groups(),
        modes: mode_choices(p.mode),
        keys: key_choices(Some(p.match_key)),
        platforms: platform_choices(p.default_platform),
        problems,
        warnings: p.warnings.clone(),
        separator: match p.separator {
            '\t' => "tab".into(),
            ';' => "semicolon".into(),
            _ => "comma".into(),
        },
        total: grouped(p.total as i64),
        planned_rows: grouped(p.planned_rows as i64),
        all_planned: p.planned_rows == p.total,
        created: grouped(p.planned.created),
        updated: grouped(p.planned.updated),
        unchanged: grouped(p.planned.unchanged),
        failed: grouped(p.planned.failed),
        rows: p.rows.iter().map(preview_item).collect(),
        failures: p
            .failures
            .iter()
            .filter(|f| f.number > p.rows.last().map_or(0, |r| r.number))
            .map(preview_item)
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "imports/job.html")]
struct JobPage {
    layout: Layout,
    job: JobItem,
    active: bool,
    percent: i64,
    done: String,
    undone: String,
    to_undo: String,
    error: Option<String>,
    failures: Vec<(i64, String)>,
    more_failures: bool,
    can_undo: bool,
    can_resume: bool,
    undo_confirm: String,
    undone_by: Option<String>,
    started: String,
    finished: String,
}

async fn show_import(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = job_id(&id)?;
    let ctx = session.ctx();
    let job = imports::get(&state.app, ctx, id).await?;
    let title = format!("Import {}", job.file_name);
    if job.status == Status::Previewed {
        let preview = imports::job_preview(&state.app, ctx, id, Some(PREVIEW_PLAN_LIMIT)).await?;
        let layout = Layout::new(&state, &session, title, "imports", flash).await?;
        return Ok(Html(render_mapping(layout, &job, &preview, vec![]).render()?).into_response());
    }
    let failures = imports::failures(&state.app, ctx, id, 101).await?;
    let layout = Layout::new(&state, &session, title, "imports", flash).await?;
    let c = job.counts;
    let undo_confirm = format!(
        "Undo this import? The {} creators it created are deleted for good, and the {} creators it updated get \
         their earlier details back. Creators changed since the import are left as they are.",
        c.created, c.updated
    );
    let page = JobPage {
        active: matches!(job.status, Status::Running | Status::Undoing),
        percent: job.percent(),
        done: grouped(job.rows_done),
        undone: grouped(job.rows_undone),
        to_undo: grouped(c.created + c.updated),
        error: job.error.clone(),
        more_failures: failures.len() > 100,
        failures: failures.into_iter().take(100).map(|f| (f.row, f.reason)).collect(),
        can_undo: job.can_undo(),
        can_resume: job.status == Status::Failed,
        undo_confirm,
        undone_by: job.undone_by_label.clone(),
        started: job.started_at.map(exact).unwrap_or_default(),
        finished: job.finished_at.map(exact).unwrap_or_default(),
        job: job_item(&job, now()),
        layout,
    };
    Ok(Html(page.render()?).into_response())
}

/// The mapping form: settings, one `col_{i}` per column, and `action` = `preview` or `run`.
async fn update_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { session, form, .. }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = job_id(&id)?;
    let ctx = session.ctx().clone();
    let value = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut keys: Vec<(usize, String)> = form
        .iter()
        .filter_map(|(n, v)| n.strip_prefix("col_").and_then(|i| i.parse::<usize>().ok()).map(|i| (i, v.clone())))
        .collect();
    keys.sort();
    let width = keys.last().map_or(0, |(i, _)| i + 1).min(rapport_core::import::read::MAX_COLUMNS);
    let mut mapping = vec![String::new(); width];
    for (i, k) in keys.into_iter().filter(|(i, _)| *i < width) {
        mapping[i] = k;
    }
    let mut e = Invalid::new();
    let mut settings = JobSettings::from_text(&value("mode"), &value("match_key"), &value("platform"), &mut e);
    settings.mapping = Some(mapping);
    e.into_result(())?;
    let job = imports::configure(&state.app, &ctx, id, settings).await?;
    if value("action") != "run" {
        return Ok(redirect_with_flash(&state, &format!("/imports/{id}"), "Preview updated"));
    }
    match imports::launch(&state.app, &ctx, id).await {
        Ok(_) => {
            imports::spawn_run(state.app.clone(), ctx, id);
            Ok(redirect_with_flash(&state, &format!("/imports/{id}"), "Import started"))
        }
        Err(AppError::Invalid(e)) => {
            let preview = imports::job_preview(&state.app, &ctx, id, Some(PREVIEW_PLAN_LIMIT)).await?;
            let extra =
                e.errors.into_iter().filter(|f| !preview.problems.contains(f)).map(|f| (f.field, f.message)).collect();
            let layout =
                Layout::new(&state, &session, format!("Import {}", job.file_name), "imports", Flash(None)).await?;
            let page = render_mapping(layout, &job, &preview, extra);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn discard_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { session, .. }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = job_id(&id)?;
    imports::discard(&state.app, session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, "/imports", "Import discarded; nothing was imported"))
}

async fn undo_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { session, .. }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = job_id(&id)?;
    let ctx = session.ctx().clone();
    imports::begin_undo(&state.app, &ctx, id).await?;
    imports::spawn_undo(state.app.clone(), ctx, id);
    Ok(redirect_with_flash(&state, &format!("/imports/{id}"), "Undoing the import"))
}

async fn resume_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { session, .. }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = job_id(&id)?;
    let ctx = session.ctx().clone();
    let job = imports::get(&state.app, &ctx, id).await?;
    if job.status != Status::Failed {
        return Err(AppError::conflict("only an import stopped by an error can be resumed").into());
    }
    imports::begin_resume(&state.app, &ctx, id).await?;
    let app = state.app.clone();
    tokio::spawn(async move {
        if let Err(e) = imports::resume(&app, &ctx, id, |_, _| {}).await {
            tracing::error!(job = %id, error = %e, "resumed import did not finish");
        }
    });
    Ok(redirect_with_flash(&state, &format!("/imports/{id}"), "Import resumed"))
}

async fn download_errors(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = job_id(&id)?;
    let job = imports::get(&state.app, session.ctx(), id).await?;
    let body = imports::errors_csv(&state.app, session.ctx(), id).await?;
    let stem: String = job
        .file_name
        .trim_end_matches(".csv")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    let disposition = format!("attachment; filename=\"{stem}-errors.csv\"");
    Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (CONTENT_DISPOSITION, disposition)], body)
        .into_response())
}
