//! The review inbox: received email that matched no creator by thread or address, to file
//! under a creator or dismiss; the messages already filed or dismissed; and importing
//! `.eml` / mbox files.

use super::upload::{self, Upload};
use super::{Flash, Layout, redirect_with_flash};
use crate::api::inbound::MAX_IMPORT_BYTES;
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::inbound::{self, InboundQuery, InboundView};
use rapport_core::Invalid;
use rapport_core::ids::InboundId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/import", post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 256 * 1024)))
        .route("/inbox/{msg}/assign", post(assign))
        .route("/inbox/{msg}/dismiss", post(dismiss))
}

pub struct MessageRow {
    pub id: String,
    pub from: String,
    pub subject: String,
    pub excerpt: String,
    pub received: String,
    pub attachments: usize,
    pub creator_id: Option<String>,
    pub matched_by: Option<String>,
}

impl From<InboundView> for MessageRow {
    fn from(m: InboundView) -> Self {
        let from = match (&m.from_name, &m.from_email) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.clone(),
            (Some(n), None) => n.clone(),
            (None, None) => "unknown sender".into(),
        };
        let mut excerpt: String = m.body.chars().take(400).collect();
        if m.body.chars().count() > 400 {
            excerpt.push('…');
        }
        MessageRow {
            id: m.id.to_string(),
            from,
            subject: if m.subject.is_empty() { "(no subject)".into() } else { m.subject },
            excerpt,
            received: format::exact(m.received_at),
            attachments: m.attachments.as_array().map_or(0, Vec::len),
            creator_id: m.creator_id.map(|c| c.to_string()),
            matched_by: m.matched_by,
        }
    }
}

#[derive(Template)]
#[template(path = "email/inbox.html")]
struct InboxPage {
    layout: Layout,
    status: String,
    messages: Vec<MessageRow>,
    /// The message whose filing form is shown with an error, with what was typed.
    assign_error: Option<(String, String, String)>,
    upload_error: Option<String>,
}

impl InboxPage {
    /// The filing error of this message, with what was typed.
    fn failed(&self, id: &str) -> Option<&(String, String, String)> {
        self.assign_error.as_ref().filter(|e| e.0 == id)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InboxQuery {
    status: String,
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    status: &str,
    assign_error: Option<(String, String, String)>,
    upload_error: Option<String>,
) -> Result<InboxPage, PageError> {
    let ctx = session.ctx();
    ctx.require_write()?;
    let status = if status.is_empty() { "review" } else { status };
    let q = InboundQuery { status: Some(status.into()), creator_id: None };
    let messages = inbound::list(&state.app, ctx, &q).await?.into_iter().map(MessageRow::from).collect();
    let layout = Layout::new(state, session, "Inbox", "inbox", flash).await?;
    Ok(InboxPage { layout, status: status.into(), messages, assign_error, upload_error })
}

async fn inbox_page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    Ok(Html(render(&state, &session, flash, &q.status, None, None).await?.render()?).into_response())
}

async fn import(
    State(state): State<AppState>,
    session: Session,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    session.ctx().require_write()?;
    let result = match upload::read(&mut multipart, MAX_IMPORT_BYTES).await {
        Ok(u) => {
            u.check_csrf(&session)?;
            import_upload(&state, &session, u).await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(s) => {
            let msg = format!(
                "Imported {} message(s): {} filed under creators, {} to review, {} already here{}.",
                s.messages,
                s.matched,
                s.review,
                s.duplicates,
                if s.unreadable > 0 { format!(", {} not readable", s.unreadable) } else { String::new() }
            );
            Ok(redirect_with_flash(&state, "/inbox", &msg))
        }
        Err(AppError::Invalid(e)) => {
            let msg = e.message_for("file").unwrap_or("could not be imported").to_string();
            let page = render(&state, &session, Flash(None), "review", None, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_upload(state: &AppState, session: &Session, u: Upload) -> Result<inbound::ImportSummary, AppError> {
    if u.bytes.is_empty() {
        return Err(Invalid::one("file", "is missing: choose an .eml or mbox file").into());
    }
    inbound::import(&state.app, session.ctx(), &u.bytes).await
}

fn msg_id(s: &str) -> Result<InboundId, PageError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssignForm {
    creator: String,
}

async fn assign(
    State(state): State<AppState>,
    Path(msg): Path<String>,
    f: CsrfForm<AssignForm>,
) -> Result<Response, PageError> {
    let id = msg_id(&msg)?;
    let ctx = f.session.ctx();
    let result = match inbound::find_creator(&state.app, ctx, &f.form.creator).await {
        Ok(creator) => inbound::assign(&state.app, ctx, id, creator).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => {
            let to = m.creator_id.map_or("/inbox".to_string(), |c| format!("/creators/{c}"));
            Ok(redirect_with_flash(&state, &to, "Message filed under this creator."))
        }
        Err(AppError::Invalid(e)) => {
            let err = e.errors.first().map_or_else(|| "is not valid".into(), |e| e.message.clone());
            let page =
                render(&state, &f.session, Flash(None), "review", Some((msg, f.form.creator.clone(), err)), None)
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn dismiss(
    State(state): State<AppState>,
    Path(msg): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    inbound::dismiss(&state.app, f.session.ctx(), msg_id(&msg)?).await?;
    Ok(redirect_with_flash(&state, "/inbox", "Message dismissed."))
}
