//! Workspaces (tenants).

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub default_currency: String,
    pub timezone: String,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, name, slug, default_currency, timezone, created_at";

pub async fn insert(c: &mut Conn<'_>, w: &WorkspaceRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO workspaces (id, name, slug, default_currency, timezone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
        args![w.id, w.name.clone(), w.slug.clone(), w.default_currency.clone(), w.timezone.clone(), w.created_at],
    )
    .await?;
    Ok(())
}

pub async fn get(c: &mut Conn<'_>, id: Uuid) -> StoreResult<WorkspaceRow> {
    c.fetch_one(format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1"), args![id]).await
}

pub async fn find_by_slug(c: &mut Conn<'_>, slug: &str) -> StoreResult<Option<WorkspaceRow>> {
    c.fetch_optional(format!("SELECT {COLUMNS} FROM workspaces WHERE slug = $1"), args![slug]).await
}

/// The workspaces a user belongs to, with the role, by name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipWorkspace {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub role: String,
}

pub async fn list_for_user(c: &mut Conn<'_>, user_id: Uuid) -> StoreResult<Vec<MembershipWorkspace>> {
    c.fetch_all(
        "SELECT w.id, w.name, w.slug, m.role FROM workspaces w \
         JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = $1 ORDER BY w.name, w.id",
        args![user_id],
    )
    .await
}

/// The workspace's settings document (JSON text).
pub async fn settings(c: &mut Conn<'_>, id: Uuid) -> StoreResult<String> {
    let row: (String,) = c.fetch_one("SELECT settings FROM workspaces WHERE id = $1", args![id]).await?;
    Ok(row.0)
}

/// The settings document and, in the same statement, the newest change-log sequence
/// number (what a list request needs before it asks the search index).
pub async fn settings_and_latest_change(c: &mut Conn<'_>, id: Uuid) -> StoreResult<(String, i64)> {
    c.fetch_one(format!("SELECT settings, {} FROM workspaces WHERE id = $1", crate::changes::LATEST), args![id]).await
}

pub async fn set_settings(c: &mut Conn<'_>, id: Uuid, settings: String, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute("UPDATE workspaces SET settings = $2, updated_at = $3 WHERE id = $1", args![id, settings, now]).await
}

/// Every workspace id (for rebuilding derived data such as the search index).
/// Claims the recomputation of a workspace's fit scores at `now` when the last one was
/// before `due` (one server wins a claim). A workspace never refreshed has its clock
/// started instead: `false`.
pub async fn claim_fit_refresh(
    c: &mut Conn<'_>,
    id: Uuid,
    now: OffsetDateTime,
    due: OffsetDateTime,
) -> StoreResult<bool> {
    let started = c
        .execute(
            "UPDATE workspaces SET fit_refreshed_at = $2 WHERE id = $1 AND fit_refreshed_at IS NULL",
            args![id, now],
        )
        .await?;
    if started > 0 {
        return Ok(false);
    }
    let claimed = c
        .execute(
            "UPDATE workspaces SET fit_refreshed_at = $2 WHERE id = $1 AND fit_refreshed_at < $3",
            args![id, now, due],
        )
        .await?;
    Ok(claimed == 1)
}

pub async fn all_ids(c: &mut Conn<'_>) -> StoreResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = c.fetch_all("SELECT id FROM workspaces ORDER BY id", args![]).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
