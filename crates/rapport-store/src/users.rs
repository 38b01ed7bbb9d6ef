//! Users and their memberships in workspaces.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, email, name, password_hash, created_at";

pub async fn insert(c: &mut Conn<'_>, u: &UserRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
        args![u.id, u.email.clone(), u.name.clone(), u.password_hash.clone(), u.created_at],
    )
    .await?;
    Ok(())
}

pub async fn get(c: &mut Conn<'_>, id: Uuid) -> StoreResult<UserRow> {
    c.fetch_one(format!("SELECT {COLUMNS} FROM users WHERE id = $1"), args![id]).await
}

/// By normalised (lower-case) email.
pub async fn find_by_email(c: &mut Conn<'_>, email: &str) -> StoreResult<Option<UserRow>> {
    c.fetch_optional(format!("SELECT {COLUMNS} FROM users WHERE email = $1"), args![email]).await
}

pub async fn set_password(c: &mut Conn<'_>, id: Uuid, hash: &str, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1", args![id, hash, now]).await
}

/// A member of a workspace.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: OffsetDateTime,
}

pub async fn add_member(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    user_id: Uuid,
    role: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    c.execute(
        "INSERT INTO memberships (workspace_id, user_id, role, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at",
        args![workspace_id, user_id, role, now],
    )
    .await?;
    Ok(())
}

pub async fn role_of(c: &mut Conn<'_>, workspace_id: Uuid, user_id: Uuid) -> StoreResult<Option<String>> {
    let row: Option<(String,)> = c
        .fetch_optional(
            "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2",
            args![workspace_id, user_id],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

pub async fn list_members(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<MemberRow>> {
    c.fetch_all(
        "SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY u.name, u.id",
        args![workspace_id],
    )
    .await
}

pub async fn set_role(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    user_id: Uuid,
    role: &str,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE memberships SET role = $3, updated_at = $4 WHERE workspace_id = $1 AND user_id = $2",
        args![workspace_id, user_id, role, now],
    )
    .await
}

pub async fn remove_member(c: &mut Conn<'_>, workspace_id: Uuid, user_id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2", args![workspace_id, user_id]).await
}

pub async fn count_owners(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<i64> {
    c.scalar_i64("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'", args![workspace_id])
        .await
}
