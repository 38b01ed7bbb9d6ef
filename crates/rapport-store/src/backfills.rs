//! Data changes a migration's SQL cannot make, run once after the migrations (by whichever
//! process starts first; running one twice changes nothing) and recorded in
//! `data_backfills`.

use crate::args;
use crate::db::Db;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

/// Creators read and rewritten per transaction.
const BATCH: i64 = 2000;

/// Runs every backfill not yet recorded. Returns how many rows they changed.
pub async fn run(db: &Db, now: OffsetDateTime) -> StoreResult<u64> {
    let mut changed = 0;
    if !done(db, "sort_names").await? {
        changed += sort_names(db).await?;
        db.execute(
            "INSERT INTO data_backfills (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            args!["sort_names", now],
        )
        .await?;
    }
    Ok(changed)
}

async fn done(db: &Db, name: &str) -> StoreResult<bool> {
    Ok(db.scalar_i64("SELECT COUNT(*) FROM data_backfills WHERE name = $1", args![name]).await? > 0)
}

/// Every creator's sort key as [`rapport_core::creators::sort_name`] makes it now.
async fn sort_names(db: &Db) -> StoreResult<u64> {
    let mut changed = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let rows: Vec<(Uuid, String, String)> = match after {
            None => {
                db.fetch_all("SELECT id, display_name, sort_name FROM creators ORDER BY id LIMIT $1", args![BATCH])
                    .await?
            }
            Some(a) => {
                db.fetch_all(
                    "SELECT id, display_name, sort_name FROM creators WHERE id > $1 ORDER BY id LIMIT $2",
                    args![a, BATCH],
                )
                .await?
            }
        };
        let Some(last) = rows.last().map(|r| r.0) else { return Ok(changed) };
        let mut tx = db.begin().await?;
        for (id, name, key) in rows {
            let folded = rapport_core::creators::sort_name(&name);
            if folded != key {
                tx.conn().execute("UPDATE creators SET sort_name = $2 WHERE id = $1", args![id, folded]).await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        after = Some(last);
    }
}
