//! A workspace's SMTP server and sending defaults, and each member's sender identity.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailSettingsRow {
    pub host: String,
    pub port: i64,
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_name: String,
    pub from_email: String,
    pub max_per_hour: i64,
    pub lock_days: i64,
    pub updated_by: String,
    pub updated_at: OffsetDateTime,
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Option<MailSettingsRow>> {
    c.fetch_optional(
        "SELECT host, port, security, username, password, from_name, from_email, max_per_hour, lock_days, \
         updated_by, updated_at FROM mail_settings WHERE workspace_id = $1",
        args![workspace_id],
    )
    .await
}

pub async fn put(c: &mut Conn<'_>, workspace_id: Uuid, s: &MailSettingsRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO mail_settings (workspace_id, host, port, security, username, password, from_name, from_email, \
         max_per_hour, lock_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (workspace_id) DO UPDATE SET host = excluded.host, port = excluded.port, \
         security = excluded.security, username = excluded.username, password = excluded.password, \
         from_name = excluded.from_name, from_email = excluded.from_email, max_per_hour = excluded.max_per_hour, \
         lock_days = excluded.lock_days, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        args![
            workspace_id,
            s.host.clone(),
            s.port,
            s.security.clone(),
            s.username.clone(),
            s.password.clone(),
            s.from_name.clone(),
            s.from_email.clone(),
            s.max_per_hour,
            s.lock_days,
            s.updated_by.clone(),
            s.updated_at
        ],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SenderRow {
    pub from_name: String,
    pub from_email: String,
}

pub async fn sender(c: &mut Conn<'_>, workspace_id: Uuid, user_id: Uuid) -> StoreResult<Option<SenderRow>> {
    c.fetch_optional(
        "SELECT from_name, from_email FROM mail_senders WHERE workspace_id = $1 AND user_id = $2",
        args![workspace_id, user_id],
    )
    .await
}

pub async fn put_sender(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    user_id: Uuid,
    s: &SenderRow,
    now: OffsetDateTime,
) -> StoreResult<()> {
    c.execute(
        "INSERT INTO mail_senders (workspace_id, user_id, from_name, from_email, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET from_name = excluded.from_name, \
         from_email = excluded.from_email, updated_at = excluded.updated_at",
        args![workspace_id, user_id, s.from_name.clone(), s.from_email.clone(), now],
    )
    .await?;
    Ok(())
}
