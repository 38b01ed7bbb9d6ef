//! The workspace's IMAP mailbox settings: where replies arrive and how often to look. The
//! password is write-only.

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::validation::required_text;
use rapport_store::inbound::{self as store, MailboxRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The mailbox as shown: never the password.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MailboxView {
    pub configured: bool,
    pub host: String,
    pub port: i64,
    /// `tls` (IMAPS, port 993) or `none` (a server on the same host or a test server).
    pub security: String,
    pub username: String,
    pub password_set: bool,
    pub folder: String,
    pub poll_seconds: i64,
    pub last_uid: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_polled_at: Option<OffsetDateTime>,
    /// Why the last poll failed, if it did.
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxInput {
    pub host: Option<String>,
    pub port: Option<i64>,
    pub security: Option<String>,
    pub username: Option<String>,
    /// Write-only; leave out to keep the stored one.
    pub password: Option<String>,
    /// Default `INBOX`.
    pub folder: Option<String>,
    /// 1–3600, default 60.
    pub poll_seconds: Option<i64>,
}

fn view(r: Option<MailboxRow>) -> MailboxView {
    match r {
        Some(r) => MailboxView {
            configured: true,
            host: r.host,
            port: r.port,
            security: r.security,
            username: r.username,
            password_set: !r.password.is_empty(),
            folder: r.folder,
            poll_seconds: r.poll_seconds,
            last_uid: r.last_uid,
            last_polled_at: r.last_polled_at,
            last_error: r.last_error,
        },
        None => MailboxView {
            configured: false,
            host: String::new(),
            port: 993,
            security: "tls".into(),
            username: String::new(),
            password_set: false,
            folder: "INBOX".into(),
            poll_seconds: 60,
            last_uid: 0,
            last_polled_at: None,
            last_error: None,
        },
    }
}

pub async fn get_mailbox(app: &App, ctx: &Ctx) -> AppResult<MailboxView> {
    let mut p = app.db.read().await?;
    Ok(view(store::mailbox(&mut p.conn(), ctx.ws()).await?))
}

/// Checks every field; `stored_password` is kept when no new one is given.
pub fn validate(input: &MailboxInput, stored_password: Option<String>) -> Result<MailboxRow, Invalid> {
    let mut e = Invalid::new();
    let host = required_text(&mut e, "host", input.host.as_deref(), 253);
    if host.chars().any(|ch| ch.is_whitespace() || ch == '/' || ch == ':') {
        e.add("host", "must be a host name or address, without a scheme or port");
    }
    let security = input.security.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("tls");
    if !["tls", "none"].contains(&security) {
        e.add("security", "must be tls or none");
    }
    let port = input.port.unwrap_or(if security == "none" { 143 } else { 993 });
    if !(1..=65535).contains(&port) {
        e.add("port", "must be between 1 and 65535");
    }
    let username = required_text(&mut e, "username", input.username.as_deref(), 254);
    let password = match input.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) if p.len() > 1024 => {
            e.add("password", "must be at most 1024 characters");
            String::new()
        }
        Some(p) => p.to_owned(),
        None => stored_password.unwrap_or_else(|| {
            e.add("password", "is required");
            String::new()
        }),
    };
    let folder = input.folder.as_deref().map(str::trim).filter(|f| !f.is_empty()).unwrap_or("INBOX").to_owned();
    if folder.len() > 200 || folder.chars().any(|ch| ch.is_control() || ch == '"') {
        e.add("folder", "must be a folder name without quotes");
    }
    let poll_seconds = input.poll_seconds.unwrap_or(60);
    if !(1..=3600).contains(&poll_seconds) {
        e.add("poll_seconds", "must be between 1 and 3600");
    }
    e.into_result(MailboxRow {
        workspace_id: uuid::Uuid::nil(),
        host,
        port,
        security: security.into(),
        username,
        password,
        folder,
        poll_seconds,
        uid_validity: None,
        last_uid: 0,
        last_polled_at: None,
        last_error: None,
        updated_at: now(),
    })
}

pub async fn put_mailbox(app: &App, ctx: &Ctx, input: MailboxInput) -> AppResult<MailboxView> {
    ctx.require_configure()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let stored = store::mailbox(&mut c, ctx.ws()).await?;
    let row = MailboxRow { workspace_id: ctx.ws(), ..validate(&input, stored.map(|s| s.password))? };
    store::put_mailbox(&mut c, &row, &ctx.actor.to_string()).await?;
    let saved = store::mailbox(&mut c, ctx.ws()).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view(Some(saved)))
}

pub async fn delete_mailbox(app: &App, ctx: &Ctx) -> AppResult<()> {
    ctx.require_configure()?;
    let mut tx = app.db.begin().await?;
    store::delete_mailbox(&mut tx.conn(), ctx.ws()).await?;
    tx.commit().await?;
    Ok(())
}
