//! The workspace's SMTP server (owners and admins set it; the password is write-only) and
//! each member's sender identity — the name and address their outreach goes out under.

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::actor::now;
use rapport_core::outbox::{Settings, SettingsInput};
use rapport_core::validation::required_text;
use rapport_core::{Invalid, outbox as rules};
use rapport_store::mail_settings::{self as store, MailSettingsRow, SenderRow};
use rapport_store::{Conn, users};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The SMTP settings as shown: never the password, only whether one is stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MailSettingsView {
    pub configured: bool,
    pub host: String,
    pub port: i64,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    pub username: Option<String>,
    pub password_set: bool,
    pub from_name: String,
    pub from_email: String,
    /// Messages per sender address per hour.
    pub max_per_hour: i64,
    /// A creator contacted within this many days needs an explicit override (0 = off).
    pub lock_days: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<OffsetDateTime>,
}

impl MailSettingsView {
    fn from_row(r: Option<MailSettingsRow>) -> MailSettingsView {
        match r {
            Some(r) => MailSettingsView {
                configured: true,
                host: r.host,
                port: r.port,
                security: r.security,
                username: r.username,
                password_set: r.password.is_some(),
                from_name: r.from_name,
                from_email: r.from_email,
                max_per_hour: r.max_per_hour,
                lock_days: r.lock_days,
                updated_at: Some(r.updated_at),
            },
            None => MailSettingsView {
                configured: false,
                host: String::new(),
                port: 587,
                security: "starttls".into(),
                username: None,
                password_set: false,
                from_name: String::new(),
                from_email: String::new(),
                max_per_hour: rules::DEFAULT_MAX_PER_HOUR,
                lock_days: rules::DEFAULT_LOCK_DAYS,
                updated_at: None,
            },
        }
    }
}

/// Settings in their validated form, read by the outbox.
pub(crate) fn parse_row(r: &MailSettingsRow) -> AppResult<Settings> {
    SettingsInput {
        host: Some(r.host.clone()),
        port: Some(r.port),
        security: Some(r.security.clone()),
        username: r.username.clone(),
        password: None,
        from_name: Some(r.from_name.clone()),
        from_email: Some(r.from_email.clone()),
        max_per_hour: Some(r.max_per_hour),
        lock_days: Some(r.lock_days),
    }
    .validate(r.password.clone())
    .map_err(|e| AppError::Internal(format!("stored mail settings are invalid: {e:?}")))
}

pub async fn get(app: &App, ctx: &Ctx) -> AppResult<MailSettingsView> {
    let mut c = app.db.read().await?;
    Ok(MailSettingsView::from_row(store::get(&mut c.conn(), ctx.ws()).await?))
}

pub async fn put(app: &App, ctx: &Ctx, input: SettingsInput) -> AppResult<MailSettingsView> {
    ctx.require_configure()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let stored = store::get(&mut c, ctx.ws()).await?;
    let s = input.validate(stored.and_then(|r| r.password))?;
    let row = MailSettingsRow {
        host: s.host,
        port: i64::from(s.port),
        security: s.security.as_str().into(),
        username: s.username,
        password: s.password,
        from_name: s.from_name,
        from_email: s.from_email,
        max_per_hour: s.max_per_hour,
        lock_days: s.lock_days,
        updated_by: ctx.actor.to_string(),
        updated_at: now(),
    };
    store::put(&mut c, ctx.ws(), &row).await?;
    tx.commit().await?;
    Ok(MailSettingsView::from_row(Some(row)))
}

/// The name and address a member's messages are sent from.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SenderView {
    pub from_name: String,
    pub from_email: String,
    /// `false` while the member has not set their own and the workspace default applies.
    pub own: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SenderInput {
    pub from_name: Option<String>,
    pub from_email: Option<String>,
}

/// Who a message from this caller is sent as: the member's own identity, else their name
/// at the workspace's default address; API keys and the system use the workspace default.
pub(crate) async fn sender_for(c: &mut Conn<'_>, ctx: &Ctx, settings: &Settings) -> AppResult<SenderView> {
    match ctx.actor.user_id() {
        Some(user) => member_sender(c, ctx, user.0, &settings.from_email).await,
        None => Ok(SenderView {
            from_name: settings.from_name.clone(),
            from_email: settings.from_email.clone(),
            own: false,
        }),
    }
}

/// A member's own identity, else their name at the workspace's default address.
async fn member_sender(c: &mut Conn<'_>, ctx: &Ctx, user: uuid::Uuid, default_email: &str) -> AppResult<SenderView> {
    if let Some(s) = store::sender(c, ctx.ws(), user).await? {
        return Ok(SenderView { from_name: s.from_name, from_email: s.from_email, own: true });
    }
    let name = users::get(c, user).await?.name;
    Ok(SenderView { from_name: name, from_email: default_email.to_owned(), own: false })
}

pub async fn my_sender(app: &App, ctx: &Ctx) -> AppResult<SenderView> {
    let user = ctx.actor.user_id().ok_or_else(|| AppError::Forbidden("sender identities belong to people".into()))?;
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let default = store::get(&mut c, ctx.ws()).await?.map(|r| r.from_email).unwrap_or_default();
    member_sender(&mut c, ctx, user.0, &default).await
}

pub async fn put_my_sender(app: &App, ctx: &Ctx, input: SenderInput) -> AppResult<SenderView> {
    let user = ctx.actor.user_id().ok_or_else(|| AppError::Forbidden("sender identities belong to people".into()))?;
    ctx.require_write()?;
    let mut e = Invalid::new();
    let from_name = required_text(&mut e, "from_name", input.from_name.as_deref(), 120);
    let from_email = match rapport_core::email::parse(input.from_email.as_deref().unwrap_or("")) {
        Ok(m) => m.value,
        Err(msg) => {
            e.add("from_email", msg);
            String::new()
        }
    };
    e.into_result(())?;
    let row = SenderRow { from_name, from_email };
    let mut tx = app.db.begin().await?;
    store::put_sender(&mut tx.conn(), ctx.ws(), user.0, &row, now()).await?;
    tx.commit().await?;
    Ok(SenderView { from_name: row.from_name, from_email: row.from_email, own: true })
}
