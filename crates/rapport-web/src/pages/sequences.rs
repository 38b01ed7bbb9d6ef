//! Sequence pages: the list with a form to make one (steps are playbook email templates
//! with a delay), and a sequence's page with its steps, its enrolments (status, next step,
//! why it stopped), a form to enrol creators and a stop button.

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::sequences::{self, EnrollInput, EnrollmentView, SequenceInput, SequenceView, StepInput};
use rapport_app::{AppError, inbound, playbook};
use rapport_core::Invalid;
use rapport_core::ids::{EnrollmentId, SequenceId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sequences", get(list_page).post(create))
        .route("/sequences/{id}", get(show_page))
        .route("/sequences/{id}/enroll", post(enroll))
        .route("/enrollments/{enrollment}/stop", post(stop))
}

/// The new-sequence form: a name and up to five steps (a template each; the first goes
/// out on enrolment, the others a number of days after the previous one).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SequenceForm {
    name: String,
    template_0: String,
    template_1: String,
    template_2: String,
    template_3: String,
    template_4: String,
    delay_1: String,
    delay_2: String,
    delay_3: String,
    delay_4: String,
}

impl SequenceForm {
    fn rows(&self) -> Vec<(String, String)> {
        let t = [&self.template_0, &self.template_1, &self.template_2, &self.template_3, &self.template_4];
        let d = ["0", &self.delay_1, &self.delay_2, &self.delay_3, &self.delay_4];
        t.iter().zip(d).map(|(t, d)| (t.to_string(), d.to_string())).collect()
    }
}

#[derive(Template)]
#[template(path = "sequences/list.html")]
struct ListPage {
    layout: Layout,
    sequences: Vec<SequenceView>,
    templates: Vec<(String, String)>,
    rows: Vec<(usize, String, String)>,
    name: String,
    errors: Invalid,
}

async fn render_list(
    state: &AppState,
    session: &Session,
    flash: Flash,
    form: SequenceForm,
    errors: Invalid,
) -> Result<ListPage, PageError> {
    let ctx = session.ctx();
    let templates =
        playbook::list(&state.app, ctx, Some("email")).await?.into_iter().map(|t| (t.id.to_string(), t.name)).collect();
    let rows = form.rows().into_iter().enumerate().map(|(i, (t, d))| (i, t, d)).collect();
    let layout = Layout::new(state, session, "Sequences", "sequences", flash).await?;
    Ok(ListPage {
        layout,
        sequences: sequences::list(&state.app, ctx).await?,
        templates,
        rows,
        name: form.name,
        errors,
    })
}

async fn list_page(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    let form = SequenceForm { delay_1: "3".into(), delay_2: "7".into(), ..Default::default() };
    Ok(Html(render_list(&state, &session, flash, form, Invalid::new()).await?.render()?).into_response())
}

async fn create(State(state): State<AppState>, f: CsrfForm<SequenceForm>) -> Result<Response, PageError> {
    let form = f.form.clone();
    let mut errors = Invalid::new();
    let mut steps = vec![];
    for (i, (t, d)) in form.rows().into_iter().enumerate().filter(|(_, (t, _))| !t.is_empty()) {
        let delay = d
            .trim()
            .parse::<i64>()
            .map_err(|_| errors.add(format!("steps[{i}].delay_days"), "must be a whole number of days"))
            .ok();
        steps.push(StepInput { template_id: Some(t), delay_days: delay.or(Some(0)) });
    }
    let input = SequenceInput { name: Some(form.name.clone()), steps: Some(steps) };
    let result = match errors.is_empty() {
        true => sequences::create(&state.app, f.session.ctx(), input).await,
        false => Err(errors.into()),
    };
    match result {
        Ok(s) => Ok(redirect_with_flash(&state, &format!("/sequences/{}", s.id), "Sequence saved.")),
        Err(AppError::Invalid(e)) => {
            let page = render_list(&state, &f.session, Flash(None), form, e).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub struct EnrollmentRow {
    pub id: String,
    pub creator_id: String,
    pub creator_name: String,
    pub status: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "sequences/show.html")]
struct ShowPage {
    layout: Layout,
    sequence: SequenceView,
    enrollments: Vec<EnrollmentRow>,
    creator: String,
    refusals: Vec<String>,
}

async fn rows(state: &AppState, session: &Session, list: Vec<EnrollmentView>) -> Result<Vec<EnrollmentRow>, PageError> {
    let mut out = Vec::with_capacity(list.len());
    for e in list {
        let name = rapport_app::creators::get(&state.app, session.ctx(), e.creator_id).await.map(|c| c.display_name);
        let detail = match (e.status.as_str(), &e.next_step_at, &e.stop_reason) {
            ("active", Some(t), _) => format!("step {} on {}", e.next_step.unwrap_or(0), format::exact(*t)),
            ("stopped", _, Some(r)) => format!("stopped: {}", r.replace('_', " ")),
            _ => e.ended_at.map(|t| format!("since {}", format::date(t))).unwrap_or_default(),
        };
        let detail = match &e.last_error {
            Some(err) if e.status == "active" => format!("{detail} — waiting: {err}"),
            _ => detail,
        };
        out.push(EnrollmentRow {
            id: e.id.to_string(),
            creator_id: e.creator_id.to_string(),
            creator_name: name.unwrap_or_else(|_| "(deleted creator)".into()),
            status: e.status,
            detail,
        });
    }
    Ok(out)
}

async fn render_show(
    state: &AppState,
    session: &Session,
    flash: Flash,
    id: SequenceId,
    creator: String,
    refusals: Vec<String>,
) -> Result<ShowPage, PageError> {
    let ctx = session.ctx();
    let sequence = sequences::get(&state.app, ctx, id).await?;
    let enrollments = rows(state, session, sequences::enrollments(&state.app, ctx, Some(id), None).await?).await?;
    let layout = Layout::new(state, session, sequence.name.clone(), "sequences", flash).await?;
    Ok(ShowPage { layout, sequence, enrollments, creator, refusals })
}

fn sequence_id(s: &str) -> Result<SequenceId, PageError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

async fn show_page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(Html(render_show(&state, &session, flash, sequence_id(&id)?, String::new(), vec![]).await?.render()?)
        .into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct EnrollForm {
    creator: String,
    #[serde(rename = "override")]
    override_lock: Option<String>,
    ignore_warnings: Option<String>,
}

async fn enroll(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    f: CsrfForm<EnrollForm>,
) -> Result<Response, PageError> {
    let id = sequence_id(&id)?;
    let ctx = f.session.ctx();
    sequences::get(&state.app, ctx, id).await?;
    let refused = |msg: String| vec![msg];
    let refusals = match inbound::find_creator(&state.app, ctx, &f.form.creator).await {
        Err(AppError::Invalid(e)) => refused(format!("Creator {}", e.message_for("creator").unwrap_or("is not known"))),
        Err(e) => return Err(e.into()),
        Ok(creator) => {
            let input = EnrollInput {
                creator_ids: vec![creator.to_string()],
                override_lock: f.form.override_lock.is_some(),
                override_note: None,
                ignore_warnings: f.form.ignore_warnings.is_some(),
            };
            let r = sequences::enroll(&state.app, ctx, id, input, &state.public_origin(&headers)).await?;
            if r.refused.is_empty() {
                return Ok(redirect_with_flash(
                    &state,
                    &format!("/sequences/{id}"),
                    "Enrolled: the first email is on its way.",
                ));
            }
            r.refused.into_iter().map(|x| x.message).collect()
        }
    };
    let page = render_show(&state, &f.session, Flash(None), id, f.form.creator.clone(), refusals).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn stop(
    State(state): State<AppState>,
    Path(enrollment): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: EnrollmentId = enrollment.parse().map_err(|_| AppError::NotFound)?;
    let e = sequences::stop(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, &format!("/sequences/{}", e.sequence_id), "Enrolment stopped."))
}
