//! Settings → Email: the workspace's SMTP server (owners and admins), each member's own
//! sender identity, and the suppression list (add by hand, take off).

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::inbound::{self, MailboxInput, MailboxView};
use rapport_app::mail_settings::{self, MailSettingsView, SenderInput, SenderView};
use rapport_app::suppressions::{self, SuppressionInput, SuppressionView};
use rapport_app::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::outbox::SettingsInput;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/email", get(email_page).post(save_server))
        .route("/settings/email/sender", post(save_sender))
        .route("/settings/email/mailbox", post(save_mailbox))
        .route("/settings/email/suppressions", post(add_suppression))
        .route("/settings/email/suppressions/remove", post(remove_suppression))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServerForm {
    host: String,
    port: String,
    security: String,
    username: String,
    password: String,
    from_name: String,
    from_email: String,
    max_per_hour: String,
    lock_days: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MailboxForm {
    imap_host: String,
    imap_port: String,
    imap_security: String,
    imap_username: String,
    imap_password: String,
    imap_folder: String,
    imap_poll_seconds: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SenderForm {
    from_name: String,
    from_email: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SuppressForm {
    email: String,
    note: String,
}

#[derive(Template)]
#[template(path = "settings/email.html")]
struct EmailSettingsPage {
    layout: Layout,
    can_configure: bool,
    server: ServerForm,
    password_set: bool,
    server_errors: Invalid,
    sender: SenderForm,
    sender_own: bool,
    sender_errors: Invalid,
    suppress: SuppressForm,
    suppress_errors: Invalid,
    suppressed: Vec<(SuppressionView, String)>,
    mailbox: MailboxForm,
    mailbox_errors: Invalid,
    mailbox_status: MailboxView,
}

/// What the page shows besides its defaults: a form re-shown with its errors.
#[derive(Default)]
struct Forms {
    server: Option<(ServerForm, Invalid)>,
    sender: Option<(SenderForm, Invalid)>,
    suppress: Option<(SuppressForm, Invalid)>,
    mailbox: Option<(MailboxForm, Invalid)>,
}

fn server_form(v: &MailSettingsView) -> ServerForm {
    ServerForm {
        host: v.host.clone(),
        port: if v.configured { v.port.to_string() } else { String::new() },
        security: v.security.clone(),
        username: v.username.clone().unwrap_or_default(),
        password: String::new(),
        from_name: v.from_name.clone(),
        from_email: v.from_email.clone(),
        max_per_hour: v.max_per_hour.to_string(),
        lock_days: v.lock_days.to_string(),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    forms: Forms,
) -> Result<EmailSettingsPage, PageError> {
    let ctx = session.ctx();
    ctx.require_write()?;
    let settings = mail_settings::get(&state.app, ctx).await?;
    let me: SenderView = mail_settings::my_sender(&state.app, ctx).await?;
    let (server, server_errors) = forms.server.unwrap_or_else(|| (server_form(&settings), Invalid::new()));
    let (sender, sender_errors) = forms.sender.unwrap_or_else(|| {
        (SenderForm { from_name: me.from_name.clone(), from_email: me.from_email.clone() }, Invalid::new())
    });
    let (suppress, suppress_errors) = forms.suppress.unwrap_or_default();
    let mailbox_status = inbound::get_mailbox(&state.app, ctx).await?;
    let (mailbox, mailbox_errors) = forms.mailbox.unwrap_or_else(|| {
        let m = &mailbox_status;
        let form = MailboxForm {
            imap_host: m.host.clone(),
            imap_port: if m.configured { m.port.to_string() } else { String::new() },
            imap_security: m.security.clone(),
            imap_username: m.username.clone(),
            imap_password: String::new(),
            imap_folder: m.folder.clone(),
            imap_poll_seconds: m.poll_seconds.to_string(),
        };
        (form, Invalid::new())
    });
    let suppressed = suppressions::list(&state.app, ctx)
        .await?
        .into_iter()
        .map(|s| {
            let when = format::date(s.created_at);
            (s, when)
        })
        .collect();
    let layout = Layout::new(state, session, "Email", "email", flash).await?;
    Ok(EmailSettingsPage {
        layout,
        can_configure: ctx.require_configure().is_ok(),
        server,
        password_set: settings.password_set,
        server_errors,
        sender,
        sender_own: me.own,
        sender_errors,
        suppress,
        suppress_errors,
        suppressed,
        mailbox,
        mailbox_errors,
        mailbox_status,
    })
}

async fn email_page(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    Ok(Html(render(&state, &session, flash, Forms::default()).await?.render()?).into_response())
}

/// Saved: back to the page with a message; refused: the page again with the form's errors.
async fn outcome<T>(
    state: &AppState,
    session: &Session,
    result: AppResult<T>,
    saved: &str,
    refused: impl FnOnce(Invalid) -> Forms,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(redirect_with_flash(state, "/settings/email", saved)),
        Err(AppError::Invalid(e)) => {
            let page = render(state, session, Flash(None), refused(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Every bad field at once: the unreadable `numbers` already in `errors`, and what a full
/// check of the rest finds.
fn every_error<T>(mut errors: Invalid, full: Result<T, Invalid>, numbers: &[&str]) -> Invalid {
    if let Err(more) = full {
        errors.errors.extend(more.errors.into_iter().filter(|e| !numbers.contains(&e.field.as_str())));
    }
    errors
}

/// A number field: blank is "use the default", anything else must parse.
fn number(errors: &mut Invalid, field: &str, v: &str) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    v.parse().map_err(|_| errors.add(field, "must be a whole number")).ok()
}

async fn save_server(State(state): State<AppState>, f: CsrfForm<ServerForm>) -> Result<Response, PageError> {
    f.session.ctx().require_configure()?;
    let form = f.form.clone();
    let mut errors = Invalid::new();
    let input = SettingsInput {
        host: Some(form.host.clone()),
        port: number(&mut errors, "port", &form.port),
        security: Some(form.security.clone()),
        username: Some(form.username.clone()),
        // A blank password field keeps the stored password.
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        from_name: Some(form.from_name.clone()),
        from_email: Some(form.from_email.clone()),
        max_per_hour: number(&mut errors, "max_per_hour", &form.max_per_hour),
        lock_days: number(&mut errors, "lock_days", &form.lock_days),
    };
    let result = if errors.is_empty() {
        mail_settings::put(&state.app, f.session.ctx(), input).await
    } else {
        Err(every_error(errors, input.validate(None), &["port", "max_per_hour", "lock_days"]).into())
    };
    let saved = "Email server saved. Outreach goes out through it from now on.";
    outcome(&state, &f.session, result, saved, |e| Forms { server: Some((form, e)), ..Default::default() }).await
}

async fn save_mailbox(State(state): State<AppState>, f: CsrfForm<MailboxForm>) -> Result<Response, PageError> {
    f.session.ctx().require_configure()?;
    let form = f.form.clone();
    let mut errors = Invalid::new();
    let input = MailboxInput {
        host: Some(form.imap_host.clone()),
        port: number(&mut errors, "port", &form.imap_port),
        security: Some(form.imap_security.clone()),
        username: Some(form.imap_username.clone()),
        password: Some(form.imap_password.clone()).filter(|p| !p.is_empty()),
        folder: Some(form.imap_folder.clone()),
        poll_seconds: number(&mut errors, "poll_seconds", &form.imap_poll_seconds),
    };
    let result = if errors.is_empty() {
        inbound::put_mailbox(&state.app, f.session.ctx(), input).await
    } else {
        let full = inbound::validate_mailbox(&input, Some(String::new()));
        Err(every_error(errors, full, &["port", "poll_seconds"]).into())
    };
    outcome(&state, &f.session, result, "Mailbox saved. Replies are read from it from now on.", |e| Forms {
        mailbox: Some((form, e)),
        ..Default::default()
    })
    .await
}

async fn save_sender(State(state): State<AppState>, f: CsrfForm<SenderForm>) -> Result<Response, PageError> {
    let form = f.form.clone();
    let input = SenderInput { from_name: Some(form.from_name.clone()), from_email: Some(form.from_email.clone()) };
    let result = mail_settings::put_my_sender(&state.app, f.session.ctx(), input).await;
    outcome(&state, &f.session, result, "Your sender identity is saved.", |e| Forms {
        sender: Some((form, e)),
        ..Default::default()
    })
    .await
}

async fn add_suppression(State(state): State<AppState>, f: CsrfForm<SuppressForm>) -> Result<Response, PageError> {
    let form = f.form.clone();
    let input = SuppressionInput { email: Some(form.email.clone()), note: Some(form.note.clone()) };
    let result = suppressions::add(&state.app, f.session.ctx(), input).await;
    outcome(&state, &f.session, result, "Address suppressed: nothing will be sent to it.", |e| Forms {
        suppress: Some((form, e)),
        ..Default::default()
    })
    .await
}

async fn remove_suppression(State(state): State<AppState>, f: CsrfForm<SuppressForm>) -> Result<Response, PageError> {
    suppressions::remove(&state.app, f.session.ctx(), &f.form.email).await?;
    Ok(redirect_with_flash(&state, "/settings/email", "Address taken off the suppression list."))
}
