//! The playbook in the browser: templates listed by kind, the create/edit form (re-shown
//! with inline errors and what was typed) with a live preview against a creator of the
//! workspace — a "Preview" button without JavaScript, updates as you type with it — and
//! soft delete. Viewers read templates and preview them but change nothing.

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format::relative;
use crate::pages::creators::Opt;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::creators::{self, CreatorQuery};
use rapport_app::playbook::{self, PreviewInput, TemplateInput, TemplateView};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::ids::{CreatorId, TemplateId};
use rapport_core::templates::{MERGE_FIELDS, TemplateKind};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/playbook", get(index).post(create))
        .route("/playbook/new", get(new))
        .route("/playbook/preview", post(live_preview))
        .route("/playbook/{id}", get(edit).post(update))
        .route("/playbook/{id}/delete", post(delete))
}

/// How many recently updated creators the preview picker offers.
const PICKER_SIZE: &str = "50";

pub struct Row {
    pub id: String,
    pub name: String,
    pub subject: String,
    pub updated: String,
}

pub struct KindSection {
    pub slug: &'static str,
    pub label: &'static str,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "playbook/index.html")]
struct IndexPage {
    layout: Layout,
    sections: Vec<KindSection>,
}

async fn index(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    let all = playbook::list(&state.app, session.ctx(), None).await?;
    let t = now();
    let sections = TemplateKind::ALL
        .into_iter()
        .map(|k| KindSection {
            slug: k.slug(),
            label: k.label(),
            rows: all
                .iter()
                .filter(|v| v.kind == k.slug())
                .map(|v| Row {
                    id: v.id.to_string(),
                    name: v.name.clone(),
                    subject: v.subject.clone().unwrap_or_default(),
                    updated: relative(v.updated_at, t),
                })
                .collect(),
        })
        .collect();
    let layout = Layout::new(&state, &session, "Playbook", "playbook", flash).await?;
    Ok(Html(IndexPage { layout, sections }.render()?).into_response())
}

/// The form as typed, with what to preview against; `intent` is `preview` or `save`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TemplateForm {
    pub kind: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub creator_id: String,
    pub campaign_name: String,
    pub content_title: String,
    pub content_url: String,
    pub intent: String,
}

impl TemplateForm {
    fn of(v: &TemplateView) -> TemplateForm {
        TemplateForm {
            kind: v.kind.clone(),
            name: v.name.clone(),
            subject: v.subject.clone().unwrap_or_default(),
            body: v.body.clone(),
            ..Default::default()
        }
    }

    fn template(&self) -> TemplateInput {
        TemplateInput {
            kind: Some(self.kind.clone()),
            name: Some(self.name.clone()),
            subject: Some(self.subject.clone()),
            body: Some(self.body.clone()),
        }
    }

    fn preview_input(&self) -> PreviewInput {
        PreviewInput {
            creator_id: Some(self.creator_id.clone()),
            campaign_name: Some(self.campaign_name.clone()),
            content_url: Some(self.content_url.clone()),
            content_title: Some(self.content_title.clone()),
        }
    }
}

/// What the preview box shows: the rendered message, or why there is none.
#[derive(Debug, Clone, Default)]
pub struct PreviewBox {
    pub shown: bool,
    pub html: bool,
    pub creator_name: String,
    pub subject: String,
    pub body: String,
    pub warnings: Vec<String>,
    /// Problems that stop the preview, as sentences.
    pub problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "playbook/_preview.html")]
struct PreviewFragment {
    preview: PreviewBox,
}

/// A problem in the error summary, linking to its field.
pub struct Problem {
    pub field: String,
    pub sentence: String,
}

pub struct FieldTag {
    pub tag: String,
    pub description: &'static str,
}

#[derive(Template)]
#[template(path = "playbook/form.html")]
struct FormPage {
    layout: Layout,
    id: Option<String>,
    action: String,
    form: TemplateForm,
    kinds: Vec<Opt>,
    creators: Vec<Opt>,
    errors: Invalid,
    problems: Vec<Problem>,
    fields: Vec<FieldTag>,
    preview: PreviewBox,
}

const LABELS: [(&str, &str); 8] = [
    ("kind", "Kind"),
    ("name", "Name"),
    ("subject", "Subject"),
    ("body", "Body"),
    ("creator_id", "Creator"),
    ("campaign_name", "Campaign"),
    ("content_title", "Content title"),
    ("content_url", "Content link"),
];

fn sentence(field: &str, message: &str) -> String {
    let label = LABELS.iter().find(|(f, _)| *f == field).map(|(_, l)| *l).unwrap_or(field);
    format!("{label} {message}")
}

/// Renders the preview for the form as typed; an empty body shows nothing yet.
async fn preview_box(state: &AppState, session: &Session, form: &TemplateForm) -> Result<PreviewBox, PageError> {
    if form.body.trim().is_empty() || form.creator_id.is_empty() {
        return Ok(PreviewBox::default());
    }
    match playbook::preview_text(&state.app, session.ctx(), &form.template(), &form.preview_input()).await {
        Ok(p) => Ok(PreviewBox {
            shown: true,
            html: TemplateKind::parse(&p.kind).is_some_and(TemplateKind::is_html),
            creator_name: p.creator_name,
            subject: p.subject,
            body: p.body,
            warnings: p.warnings.into_iter().map(|w| w.message).collect(),
            problems: vec![],
        }),
        Err(AppError::Invalid(inv)) => Ok(PreviewBox {
            problems: inv.errors.iter().map(|e| sentence(&e.field, &e.message)).collect(),
            ..Default::default()
        }),
        Err(AppError::NotFound) => {
            Ok(PreviewBox { problems: vec!["That creator is not in this workspace.".into()], ..Default::default() })
        }
        Err(e) => Err(e.into()),
    }
}

/// Recently updated creators to preview with; the chosen one stays listed and selected, and
/// the first is chosen when none is.
async fn creator_opts(state: &AppState, session: &Session, form: &mut TemplateForm) -> Result<Vec<Opt>, PageError> {
    let q = CreatorQuery { limit: Some(PICKER_SIZE.into()), ..Default::default() };
    let mut list: Vec<(String, String)> = creators::list(&state.app, session.ctx(), &q)
        .await?
        .items
        .into_iter()
        .map(|c| (c.id.to_string(), c.display_name.clone()))
        .collect();
    if let Ok(chosen) = form.creator_id.parse::<CreatorId>()
        && !list.iter().any(|(id, _)| *id == form.creator_id)
        && let Ok(c) = creators::get(&state.app, session.ctx(), chosen).await
        && c.deleted_at.is_none()
    {
        list.insert(0, (c.id.to_string(), c.display_name));
    }
    if form.creator_id.is_empty()
        && let Some((id, _)) = list.first()
    {
        form.creator_id = id.clone();
    }
    Ok(list.into_iter().map(|(value, label)| Opt { selected: value == form.creator_id, value, label }).collect())
}

async fn form_page(
    state: &AppState,
    session: &Session,
    id: Option<TemplateId>,
    mut form: TemplateForm,
    errors: Invalid,
    flash: Flash,
) -> Result<FormPage, PageError> {
    let creators = creator_opts(state, session, &mut form).await?;
    let preview = preview_box(state, session, &form).await?;
    let title = if id.is_some() { format!("Template “{}”", form.name) } else { "New template".into() };
    let layout = Layout::new(state, session, title, "playbook", flash).await?;
    let kinds = TemplateKind::ALL
        .into_iter()
        .map(|k| Opt { value: k.slug().into(), label: k.label().into(), selected: form.kind == k.slug() })
        .collect();
    Ok(FormPage {
        layout,
        action: id.map(|i| format!("/playbook/{i}")).unwrap_or_else(|| "/playbook".into()),
        id: id.map(|i| i.to_string()),
        form,
        kinds,
        creators,
        problems: errors
            .errors
            .iter()
            .map(|e| Problem { field: e.field.clone(), sentence: sentence(&e.field, &e.message) })
            .collect(),
        errors,
        fields: MERGE_FIELDS
            .iter()
            .map(|f| FieldTag { tag: format!("{{{{ {} }}}}", f.name), description: f.description })
            .collect(),
        preview,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    kind: String,
}

async fn new(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    session.ctx().require_write()?;
    let kind = TemplateKind::parse(&q.kind).unwrap_or(TemplateKind::Email);
    let form = TemplateForm { kind: kind.slug().into(), ..Default::default() };
    let page = form_page(&state, &session, None, form, Invalid::new(), flash).await?;
    Ok(Html(page.render()?).into_response())
}

async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    session: Session,
    flash: Flash,
) -> Result<Response, PageError> {
    let id: TemplateId = id.parse().map_err(|_| AppError::NotFound)?;
    let t = playbook::get(&state.app, session.ctx(), id).await?;
    let page = form_page(&state, &session, Some(id), TemplateForm::of(&t), Invalid::new(), flash).await?;
    Ok(Html(page.render()?).into_response())
}

/// Shows the form again: with a preview (`intent=preview`, nothing saved) or with the
/// problems that stopped a save (422).
async fn reshow(
    state: &AppState,
    session: &Session,
    id: Option<TemplateId>,
    form: TemplateForm,
    errors: Invalid,
) -> Result<Response, PageError> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = form_page(state, session, id, form, errors, Flash(None)).await?;
    Ok((status, Html(page.render()?)).into_response())
}

async fn create(State(state): State<AppState>, f: CsrfForm<TemplateForm>) -> Result<Response, PageError> {
    if f.form.intent == "preview" {
        return reshow(&state, &f.session, None, f.form, Invalid::new()).await;
    }
    match playbook::create(&state.app, f.session.ctx(), f.form.template()).await {
        Ok(t) => Ok(redirect_with_flash(&state, &format!("/playbook/{}", t.id), "Template saved.")),
        Err(AppError::Invalid(errors)) => reshow(&state, &f.session, None, f.form, errors).await,
        Err(e) => Err(e.into()),
    }
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<TemplateForm>,
) -> Result<Response, PageError> {
    let id: TemplateId = id.parse().map_err(|_| AppError::NotFound)?;
    if f.form.intent == "preview" {
        playbook::get(&state.app, f.session.ctx(), id).await?;
        return reshow(&state, &f.session, Some(id), f.form, Invalid::new()).await;
    }
    match playbook::update(&state.app, f.session.ctx(), id, f.form.template()).await {
        Ok(t) => Ok(redirect_with_flash(&state, &format!("/playbook/{}", t.id), "Template saved.")),
        Err(AppError::Invalid(errors)) => reshow(&state, &f.session, Some(id), f.form, errors).await,
        Err(e) => Err(e.into()),
    }
}

/// The preview box alone, for the script that refreshes it as you type.
async fn live_preview(State(state): State<AppState>, f: CsrfForm<TemplateForm>) -> Result<Response, PageError> {
    let preview = preview_box(&state, &f.session, &f.form).await?;
    Ok(Html(PreviewFragment { preview }.render()?).into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: TemplateId = id.parse().map_err(|_| AppError::NotFound)?;
    playbook::delete(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, "/playbook", "Template deleted."))
}
