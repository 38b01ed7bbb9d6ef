//! Stage history: one row each time a creator's stage is set (the first when it is
//! created), with the actor, the time and an optional reason; written in the transaction of
//! the change. Rows come back in time order (ties broken by id).

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use crate::sql::Filter;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StageChangeRow {
    pub id: Uuid,
    pub creator_id: Uuid,
    /// `None` for the stage a creator started in.
    pub from_stage: Option<String>,
    pub to_stage: String,
    /// Who changed it, as on timeline events (`user:…`, `api_key:…`, `import`, `system`).
    pub actor: String,
    pub actor_label: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

const COLUMNS: &str = "id, creator_id, from_stage, to_stage, actor, actor_label, reason, changed_at";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &StageChangeRow) -> StoreResult<()> {
    insert_many(c, workspace_id, std::slice::from_ref(r)).await
}

/// Inserts many history rows in a few multi-row statements.
pub async fn insert_many(c: &mut Conn<'_>, workspace_id: Uuid, rows: &[StageChangeRow]) -> StoreResult<()> {
    let rows = rows
        .iter()
        .map(|r| {
            args![
                r.id,
                workspace_id,
                r.creator_id,
                r.from_stage.clone(),
                r.to_stage.clone(),
                r.actor.clone(),
                r.actor_label.clone(),
                r.reason.clone(),
                r.changed_at
            ]
        })
        .collect();
    crate::bulk::insert(
        c,
        "INSERT INTO stage_changes (id, workspace_id, creator_id, from_stage, to_stage, actor, actor_label, reason, \
         changed_at)",
        9,
        "",
        rows,
    )
    .await?;
    Ok(())
}

/// Time order, whatever order the engine returned (SQLite compares times as text).
fn in_order(mut rows: Vec<StageChangeRow>) -> Vec<StageChangeRow> {
    rows.sort_by_key(|r| (r.changed_at, r.id));
    rows
}

/// The histories of creators of the workspace, oldest first.
pub async fn for_creators(c: &mut Conn<'_>, workspace_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<StageChangeRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        let mut f = Filter::with_args(args![workspace_id]);
        let list = f.uuid_list(chunk);
        let (sql, a) =
            f.finish(format!("SELECT {COLUMNS} FROM stage_changes WHERE workspace_id = $1 AND creator_id IN ({list})"));
        rows.extend(c.fetch_all::<StageChangeRow>(sql, a).await?);
    }
    Ok(in_order(rows))
}

/// Every change since `since` to the live (not deleted) creators of the workspace, oldest
/// first.
pub async fn since(c: &mut Conn<'_>, workspace_id: Uuid, since: OffsetDateTime) -> StoreResult<Vec<StageChangeRow>> {
    let rows = c
        .fetch_all(
            "SELECT s.id, s.creator_id, s.from_stage, s.to_stage, s.actor, s.actor_label, s.reason, s.changed_at \
             FROM stage_changes s JOIN creators c ON c.id = s.creator_id \
             WHERE s.workspace_id = $1 AND s.changed_at >= $2 AND c.deleted_at IS NULL",
            args![workspace_id, since],
        )
        .await?;
    Ok(in_order(rows))
}

/// Puts back a creator's history exactly as `rows` (undoing an import or a merge).
pub async fn replace(c: &mut Conn<'_>, workspace_id: Uuid, creator: Uuid, rows: &[StageChangeRow]) -> StoreResult<()> {
    c.execute("DELETE FROM stage_changes WHERE workspace_id = $1 AND creator_id = $2", args![workspace_id, creator])
        .await?;
    for r in rows {
        insert(c, workspace_id, &StageChangeRow { creator_id: creator, ..r.clone() }).await?;
    }
    Ok(())
}
