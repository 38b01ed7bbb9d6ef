//! Fingerprints of imported rows (migration 0021): the row an import last applied to (or
//! found unchanged on) a creator, with the creator's newest change-log sequence number at
//! that moment. Every write to a creator appends to the change log, so while the number is
//! still the newest, the creator is as that row left it.

use crate::args;
use crate::bulk::{self, LOOKUP_CHUNK};
use crate::db::Conn;
use crate::error::StoreResult;
use crate::sql::Filter;
use std::collections::HashMap;
use uuid::Uuid;

/// The fingerprints of these creators that are still current: no write to the creator
/// since the import that stored it.
pub async fn current(c: &mut Conn<'_>, workspace_id: Uuid, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut f = Filter::with_args(args![workspace_id]);
        let list = f.uuid_list(chunk);
        let (sql, a) = f.finish(format!(
            "SELECT f.creator_id, f.fingerprint FROM import_fingerprints f \
             WHERE f.workspace_id = $1 AND f.creator_id IN ({list}) \
             AND f.change_seq = (SELECT MAX(ch.seq) FROM creator_changes ch WHERE ch.creator_id = f.creator_id)"
        ));
        let rows: Vec<(Uuid, String)> = c.fetch_all(sql, a).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Stores each creator's fingerprint (`(creator, fingerprint)`) with its newest change-log
/// sequence number; call it in the transaction that wrote the creators, after the writes.
pub async fn store(c: &mut Conn<'_>, workspace_id: Uuid, rows: &[(Uuid, String)]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let values = rows.iter().map(|(id, fp)| args![*id, workspace_id, fp.clone()]).collect();
    bulk::insert(
        c,
        "INSERT INTO import_fingerprints (creator_id, workspace_id, fingerprint)",
        3,
        "ON CONFLICT (creator_id) DO UPDATE SET fingerprint = excluded.fingerprint, change_seq = NULL",
        values,
    )
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut f = Filter::with_args(args![workspace_id]);
        let list = f.uuid_list(chunk);
        let (sql, a) = f.finish(format!(
            "UPDATE import_fingerprints SET change_seq = \
             (SELECT MAX(ch.seq) FROM creator_changes ch WHERE ch.creator_id = import_fingerprints.creator_id) \
             WHERE workspace_id = $1 AND creator_id IN ({list})"
        ));
        c.execute(sql, a).await?;
    }
    Ok(())
}
