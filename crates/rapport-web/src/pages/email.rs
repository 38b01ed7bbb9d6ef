//! Email pages: writing to a creator (with the outreach-lock warning and its override, and
//! the creator's earlier emails), and the workspace outbox with delivery status and cancel.

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::outbox::{self, EmailInput, EmailQuery, EmailView, LockView};
use rapport_app::playbook::{self, PreviewInput};
use rapport_app::{AppError, creators};
use rapport_core::Invalid;
use rapport_core::ids::{CreatorId, OutboxId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/email", get(compose_page).post(send))
        .route("/emails", get(outbox_page))
        .route("/emails/{email}/cancel", post(cancel))
}

/// The compose form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ComposeForm {
    pub to: String,
    pub subject: String,
    pub body: String,
    #[serde(rename = "override")]
    pub override_lock: Option<String>,
    pub override_note: String,
    pub ignore_warnings: Option<String>,
    pub content_title: String,
    pub content_url: String,
    pub campaign_name: String,
}

/// "Start from a template": which one, and the content and campaign it may refer to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DraftQuery {
    pub template_id: String,
    pub content_title: String,
    pub content_url: String,
    pub campaign_name: String,
}

/// One row of an email list.
pub struct EmailRow {
    pub id: String,
    pub creator_id: Option<String>,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub when: String,
    pub detail: Option<String>,
    pub cancellable: bool,
}

impl From<EmailView> for EmailRow {
    fn from(e: EmailView) -> Self {
        let when = match (e.status.as_str(), e.sent_at) {
            ("sent", Some(t)) => format!("Sent {}", format::exact(t)),
            ("queued", _) if e.attempts > 0 || e.last_error.is_some() => {
                format!("Next try {}", format::exact(e.next_attempt_at))
            }
            _ => format!("Written {}", format::exact(e.created_at)),
        };
        EmailRow {
            id: e.id.to_string(),
            creator_id: e.creator_id.map(|c| c.to_string()),
            to: e.to,
            subject: e.subject,
            cancellable: e.status == "queued",
            status: e.status,
            when,
            detail: e.last_error,
        }
    }
}

#[derive(Template)]
#[template(path = "email/compose.html")]
struct ComposePage {
    layout: Layout,
    creator_id: String,
    creator_name: String,
    do_not_contact: bool,
    lock: LockView,
    form: ComposeForm,
    errors: Invalid,
    refusal: Option<String>,
    history: Vec<EmailRow>,
    templates: Vec<(String, String)>,
    draft: DraftQuery,
    warnings: Vec<String>,
    /// The refusal asked to confirm the personalisation warnings.
    confirm_warnings: bool,
}

impl ComposePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.message_for(field)
    }
}

/// What the compose page shows besides the creator: the form as typed (or a draft from a
/// template), its errors, and why the last send was refused.
#[derive(Default)]
struct Shown {
    form: Option<ComposeForm>,
    draft: DraftQuery,
    errors: Invalid,
    refusal: Option<(String, Option<String>)>,
}

async fn render_compose(
    state: &AppState,
    session: &Session,
    flash: Flash,
    id: CreatorId,
    shown: Shown,
) -> Result<ComposePage, PageError> {
    let Shown { form, draft, mut errors, refusal } = shown;
    let ctx = session.ctx();
    let c = creators::get(&state.app, ctx, id).await?;
    if c.deleted_at.is_some() {
        return Err(AppError::NotFound.into());
    }
    let lock = outbox::lock(&state.app, ctx, id).await?;
    let q = EmailQuery { creator_id: Some(id.to_string()), ..Default::default() };
    let history = outbox::list(&state.app, ctx, &q).await?.into_iter().map(EmailRow::from).collect();
    let templates =
        playbook::list(&state.app, ctx, Some("email")).await?.into_iter().map(|t| (t.id.to_string(), t.name)).collect();
    let mut warnings = vec![];
    let mut form = form;
    if form.is_none() && !draft.template_id.is_empty() {
        let input = PreviewInput {
            creator_id: Some(id.to_string()),
            campaign_name: Some(draft.campaign_name.clone()),
            content_url: Some(draft.content_url.clone()),
            content_title: Some(draft.content_title.clone()),
        };
        match draft.template_id.parse().map_err(|_| AppError::NotFound) {
            Ok(t) => match playbook::preview(&state.app, ctx, t, &input).await {
                Ok(p) => {
                    warnings = p.warnings.into_iter().map(|w| w.message).collect();
                    form = Some(ComposeForm {
                        subject: p.subject,
                        body: p.body,
                        content_title: draft.content_title.clone(),
                        content_url: draft.content_url.clone(),
                        campaign_name: draft.campaign_name.clone(),
                        ..Default::default()
                    });
                }
                Err(AppError::Invalid(e)) => errors = e,
                Err(AppError::NotFound) => errors.add("template_id", "is not an email template of this workspace"),
                Err(e) => return Err(e.into()),
            },
            Err(_) => errors.add("template_id", "is not an email template of this workspace"),
        }
    }
    let (refusal, confirm_warnings) = match refusal {
        Some((message, field)) => (Some(message), field.as_deref() == Some("ignore_warnings")),
        None => (None, false),
    };
    // The primary address, else any; prefilled on a new message and on a template draft.
    let default_to = c
        .first_contact("email")
        .or_else(|| c.contact_points.iter().find(|p| p.kind == "email").map(|p| p.value.as_str()))
        .unwrap_or_default();
    let mut form = form.unwrap_or_default();
    if form.to.is_empty() {
        form.to = default_to.to_string();
    }
    let layout = Layout::new(state, session, format!("Email {}", c.display_name), "creators", flash).await?;
    Ok(ComposePage {
        layout,
        creator_id: id.to_string(),
        creator_name: c.display_name,
        do_not_contact: c.do_not_contact,
        lock,
        form,
        errors,
        refusal,
        history,
        templates,
        draft,
        warnings,
        confirm_warnings,
    })
}

fn creator_id(s: &str) -> Result<CreatorId, PageError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

async fn compose_page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
    Query(draft): Query<DraftQuery>,
) -> Result<Response, PageError> {
    let shown = Shown { draft, ..Default::default() };
    let page = render_compose(&state, &session, flash, creator_id(&id)?, shown).await?;
    Ok(Html(page.render()?).into_response())
}

async fn send(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    f: CsrfForm<ComposeForm>,
) -> Result<Response, PageError> {
    let id = creator_id(&id)?;
    let form = f.form;
    let input = EmailInput {
        to: Some(form.to.clone()),
        subject: Some(form.subject.clone()),
        body: Some(form.body.clone()),
        override_lock: form.override_lock.is_some(),
        override_note: Some(form.override_note.clone()),
        ignore_warnings: form.ignore_warnings.is_some(),
        content_title: Some(form.content_title.clone()),
        content_url: Some(form.content_url.clone()),
        campaign_name: Some(form.campaign_name.clone()),
        ..Default::default()
    };
    let origin = state.public_origin(&headers);
    let (errors, refusal) = match outbox::queue(&state.app, f.session.ctx(), id, input, &origin).await {
        Ok(_) => {
            return Ok(redirect_with_flash(
                &state,
                &format!("/creators/{id}/email"),
                "Email queued. It goes out within a minute; its status is below.",
            ));
        }
        Err(AppError::Invalid(e)) => (e, None),
        Err(AppError::Conflict { message, field, .. }) => (Invalid::new(), Some((message, field))),
        Err(e) => return Err(e.into()),
    };
    let shown = Shown { form: Some(form), errors, refusal, ..Default::default() };
    let page = render_compose(&state, &f.session, Flash(None), id, shown).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "email/outbox.html")]
struct OutboxPage {
    layout: Layout,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    emails: Vec<EmailRow>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OutboxQuery {
    status: String,
    before: String,
}

const PAGE: i64 = 50;

async fn outbox_page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, PageError> {
    let query = EmailQuery {
        status: Some(q.status.clone()),
        before: Some(q.before.clone()),
        limit: Some(PAGE),
        ..Default::default()
    };
    let emails: Vec<EmailRow> =
        outbox::list(&state.app, session.ctx(), &query).await?.into_iter().map(EmailRow::from).collect();
    let next = (emails.len() as i64 == PAGE).then(|| emails.last().map(|e| e.id.clone())).flatten();
    let layout = Layout::new(&state, &session, "Outbox", "outbox", flash).await?;
    let statuses =
        vec![("", "All"), ("queued", "Waiting"), ("sent", "Sent"), ("failed", "Failed"), ("cancelled", "Cancelled")];
    let page = OutboxPage { layout, status: q.status, statuses, emails, next };
    Ok(Html(page.render()?).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn cancel(
    State(state): State<AppState>,
    Path(email): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let email: OutboxId = email.parse().map_err(|_| AppError::NotFound)?;
    let e = outbox::cancel(&state.app, f.session.ctx(), email).await?;
    let to = match e.creator_id {
        Some(c) => format!("/creators/{c}/email"),
        None => "/emails".into(),
    };
    Ok(redirect_with_flash(&state, &to, "Email cancelled; it will not be sent."))
}
