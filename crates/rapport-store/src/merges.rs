//! Merging two creators: the merge log, moving every related record from the loser to the
//! survivor (remembering exactly what moved), putting it all back on undo, and the raw keys
//! the duplicate finder groups by.

use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::imports::{self, CreatorSnapshot, CreatorState};
use crate::sql::Filter;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MergeRow {
    pub id: Uuid,
    pub survivor_id: Uuid,
    pub loser_id: Uuid,
    /// JSON object: field → `survivor` | `loser`.
    pub choices: String,
    /// JSON [`CreatorSnapshot`] of the survivor before the merge.
    pub survivor_before: String,
    /// JSON [`CreatorSnapshot`] of the loser before the merge.
    pub loser_snapshot: String,
    /// JSON [`Moved`].
    pub moved: String,
    pub created_by: String,
    pub created_by_label: String,
    pub created_at: OffsetDateTime,
    pub undone_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, survivor_id, loser_id, choices, survivor_before, loser_snapshot, moved, created_by, \
    created_by_label, created_at, undone_at";

/// A shortlist membership of the loser (recreated on undo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Membership {
    pub shortlist_id: Uuid,
    pub added_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// Exactly what a merge moved from the loser to the survivor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub accounts: Vec<Uuid>,
    pub contacts: Vec<Uuid>,
    pub notes: Vec<Uuid>,
    pub events: Vec<Uuid>,
    /// Lists the survivor joined because the loser was on them.
    pub shortlists: Vec<Uuid>,
    /// Every list the loser was on.
    pub loser_memberships: Vec<Membership>,
    /// Tags the survivor gained.
    pub tags: Vec<String>,
    /// Import rows `(job_id, row_number)` that now point at the survivor.
    pub import_rows: Vec<(Uuid, i64)>,
    /// Absent in merges made before tasks moved.
    #[serde(default)]
    pub tasks: Vec<Uuid>,
    /// Absent in merges made before interactions existed.
    #[serde(default)]
    pub interactions: Vec<Uuid>,
    /// Emails in the outbox, received emails, sequence enrolments, outreach-lock overrides
    /// and campaign collaborations (absent in merges made before they existed).
    #[serde(default)]
    pub emails: Vec<Uuid>,
    #[serde(default)]
    pub received: Vec<Uuid>,
    #[serde(default)]
    pub enrollments: Vec<Uuid>,
    #[serde(default)]
    pub overrides: Vec<Uuid>,
    #[serde(default)]
    pub collaborations: Vec<Uuid>,
}

/// Rows that belong to one creator through `creator_id` (notes, tasks, interactions):
/// moves them from `loser` to `survivor` and says which moved.
async fn move_owned(
    c: &mut Conn<'_>,
    (select, update): (&'static str, &'static str),
    ws: Uuid,
    survivor: Uuid,
    loser: Uuid,
) -> StoreResult<Vec<Uuid>> {
    let moved = ids(c, select, args![ws, loser]).await?;
    c.execute(update, args![ws, loser, survivor]).await?;
    Ok(moved)
}

const NOTES: (&str, &str) = (
    "SELECT id FROM notes WHERE workspace_id = $1 AND creator_id = $2 ORDER BY id",
    "UPDATE notes SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2",
);
const TASKS: (&str, &str) = (
    "SELECT id FROM tasks WHERE workspace_id = $1 AND creator_id = $2 ORDER BY id",
    "UPDATE tasks SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2",
);
/// The tables whose rows belong to a creator through `creator_id` and move whole in a
/// merge (and back on undo), beyond notes, tasks and interactions.
const OUTREACH: [&str; 5] =
    ["outbox_messages", "inbound_messages", "sequence_enrollments", "outreach_overrides", "collaborations"];

/// Moves the loser's rows of `table` to the survivor; says which moved.
async fn move_table(c: &mut Conn<'_>, table: &str, ws: Uuid, survivor: Uuid, loser: Uuid) -> StoreResult<Vec<Uuid>> {
    let select = format!("SELECT id FROM {table} WHERE workspace_id = $1 AND creator_id = $2 ORDER BY id");
    let moved = ids(c, select, args![ws, loser]).await?;
    let update = format!("UPDATE {table} SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2");
    c.execute(update, args![ws, loser, survivor]).await?;
    Ok(moved)
}

/// How many campaigns both creators are in (a merge would make two deals of one creator in
/// one campaign).
pub async fn shared_campaigns(c: &mut Conn<'_>, ws: Uuid, a: Uuid, b: Uuid) -> StoreResult<i64> {
    c.scalar_i64(
        "SELECT COUNT(*) FROM collaborations x JOIN collaborations y ON y.campaign_id = x.campaign_id \
         WHERE x.workspace_id = $1 AND x.creator_id = $2 AND y.creator_id = $3",
        args![ws, a, b],
    )
    .await
}

const INTERACTIONS: (&str, &str) = (
    "SELECT id FROM interactions WHERE workspace_id = $1 AND creator_id = $2 ORDER BY id",
    "UPDATE interactions SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2",
);

pub async fn insert(c: &mut Conn<'_>, ws: Uuid, m: &MergeRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO merges (id, workspace_id, survivor_id, loser_id, choices, survivor_before, loser_snapshot, \
         moved, created_by, created_by_label, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        args![
            m.id,
            ws,
            m.survivor_id,
            m.loser_id,
            m.choices.clone(),
            m.survivor_before.clone(),
            m.loser_snapshot.clone(),
            m.moved.clone(),
            m.created_by.clone(),
            m.created_by_label.clone(),
            m.created_at
        ],
    )
    .await?;
    Ok(())
}

pub async fn get(c: &mut Conn<'_>, ws: Uuid, id: Uuid) -> StoreResult<Option<MergeRow>> {
    c.fetch_optional(format!("SELECT {COLUMNS} FROM merges WHERE workspace_id = $1 AND id = $2"), args![ws, id]).await
}

/// Marks a merge undone unless it already is; returns the rows changed.
pub async fn mark_undone(c: &mut Conn<'_>, ws: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE merges SET undone_at = $3 WHERE workspace_id = $1 AND id = $2 AND undone_at IS NULL",
        args![ws, id, now],
    )
    .await
}

/// Merges into `survivor` made after `after` and not undone (an older merge's undo would
/// tangle with them).
pub async fn later_into(
    c: &mut Conn<'_>,
    ws: Uuid,
    survivor: Uuid,
    after: OffsetDateTime,
    except: Uuid,
) -> StoreResult<i64> {
    c.scalar_i64(
        "SELECT COUNT(*) FROM merges WHERE workspace_id = $1 AND survivor_id = $2 AND created_at >= $3 \
         AND id <> $4 AND undone_at IS NULL",
        args![ws, survivor, after, except],
    )
    .await
}

/// Writes the survivor's merged profile (every column but the derived ones).
pub async fn write_profile(c: &mut Conn<'_>, ws: Uuid, k: &CreatorState, now: OffsetDateTime) -> StoreResult<u64> {
    let mut a = args![ws, k.id];
    a.extend(imports::profile_args(k));
    a.push(Arg::Time(now));
    let sql = format!(
        "UPDATE creators SET {}, updated_at = $20 WHERE workspace_id = $1 AND id = $2",
        imports::PROFILE_COLUMNS
    );
    c.execute(sql, a).await
}

async fn ids(c: &mut Conn<'_>, sql: impl Into<crate::db::SqlText>, a: Vec<Arg>) -> StoreResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = c.fetch_all(sql, a).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Moves every record of `loser` to `survivor` and says what moved. Import rows that
/// *created* the loser are left alone: undoing that import must not delete the survivor.
pub async fn move_related(c: &mut Conn<'_>, ws: Uuid, survivor: Uuid, loser: Uuid) -> StoreResult<Moved> {
    let mut m = Moved {
        accounts: ids(
            c,
            "SELECT id FROM social_accounts WHERE workspace_id = $1 AND creator_id = $2 ORDER BY id",
            args![ws, loser],
        )
        .await?,
        contacts: ids(
            c,
            "SELECT id FROM contact_points WHERE workspace_id = $1 AND creator_id = $2 ORDER BY id",
            args![ws, loser],
        )
        .await?,
        events: ids(
            c,
            "SELECT id FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2 ORDER BY id",
            args![ws, loser],
        )
        .await?,
        ..Moved::default()
    };
    c.execute(
        "UPDATE social_accounts SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2",
        args![ws, loser, survivor],
    )
    .await?;
    // A moved contact point is primary only where the survivor has no primary of its kind.
    c.execute(
        "UPDATE contact_points SET is_primary = FALSE WHERE workspace_id = $1 AND creator_id = $2 AND is_primary \
         AND kind IN (SELECT kind FROM contact_points WHERE creator_id = $3 AND is_primary)",
        args![ws, loser, survivor],
    )
    .await?;
    c.execute(
        "UPDATE contact_points SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2",
        args![ws, loser, survivor],
    )
    .await?;
    m.notes = move_owned(c, NOTES, ws, survivor, loser).await?;
    m.tasks = move_owned(c, TASKS, ws, survivor, loser).await?;
    m.interactions = move_owned(c, INTERACTIONS, ws, survivor, loser).await?;
    // One active enrolment per sequence and creator: the loser's gives way to the survivor's.
    c.execute(
        "UPDATE sequence_enrollments SET status = 'stopped', stop_reason = 'merged', ended_at = $4, \
         next_step_at = NULL WHERE workspace_id = $1 AND creator_id = $2 AND status = 'active' AND sequence_id IN \
         (SELECT sequence_id FROM sequence_enrollments WHERE workspace_id = $1 AND creator_id = $3 AND status = 'active')",
        args![ws, loser, survivor, OffsetDateTime::now_utc()],
    )
    .await?;
    let [emails, received, enrollments, overrides, collaborations] = OUTREACH;
    m.emails = move_table(c, emails, ws, survivor, loser).await?;
    m.received = move_table(c, received, ws, survivor, loser).await?;
    m.enrollments = move_table(c, enrollments, ws, survivor, loser).await?;
    m.overrides = move_table(c, overrides, ws, survivor, loser).await?;
    m.collaborations = move_table(c, collaborations, ws, survivor, loser).await?;
    c.execute(
        "UPDATE timeline_events SET subject_id = $3 WHERE workspace_id = $1 AND subject_id = $2",
        args![ws, loser, survivor],
    )
    .await?;
    let tags: Vec<(String,)> = c
        .fetch_all(
            "SELECT tag FROM creator_tags WHERE creator_id = $1 AND tag NOT IN \
             (SELECT tag FROM creator_tags WHERE creator_id = $2) ORDER BY tag",
            args![loser, survivor],
        )
        .await?;
    for (tag,) in tags {
        c.execute(
            "INSERT INTO creator_tags (workspace_id, creator_id, tag) VALUES ($1, $2, $3)",
            args![ws, survivor, tag.clone()],
        )
        .await?;
        m.tags.push(tag);
    }
    m.loser_memberships = c
        .fetch_all(
            "SELECT shortlist_id, added_by, added_at FROM shortlist_members WHERE workspace_id = $1 AND creator_id = $2 \
             ORDER BY shortlist_id",
            args![ws, loser],
        )
        .await?;
    for l in &m.loser_memberships {
        let n = c
            .execute(
                "INSERT INTO shortlist_members (shortlist_id, creator_id, workspace_id, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shortlist_id, creator_id) DO NOTHING",
                args![l.shortlist_id, survivor, ws, l.added_by.clone(), l.added_at],
            )
            .await?;
        if n == 1 {
            m.shortlists.push(l.shortlist_id);
        }
    }
    m.import_rows = c
        .fetch_all(
            "SELECT job_id, row_number FROM import_job_rows WHERE workspace_id = $1 AND creator_id = $2 \
             AND outcome <> 'created' ORDER BY job_id, row_number",
            args![ws, loser],
        )
        .await?;
    c.execute(
        "UPDATE import_job_rows SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2 AND outcome <> 'created'",
        args![ws, loser, survivor],
    )
    .await?;
    Ok(m)
}

/// Runs `UPDATE … SET col = $to WHERE workspace_id = $ws AND col = $from AND id IN (ids)`.
async fn move_back(c: &mut Conn<'_>, sql: &str, ws: Uuid, from: Uuid, to: Uuid, ids: &[Uuid]) -> StoreResult<()> {
    for chunk in ids.chunks(500) {
        let mut f = Filter::with_args(args![ws, from, to]);
        let p: Vec<String> = chunk.iter().map(|id| f.param(Arg::Uuid(*id))).collect();
        let (sql, a) = f.finish(format!("{sql} ({})", p.join(", ")));
        c.execute(sql, a).await?;
    }
    Ok(())
}

/// Undoes a merge: the survivor's profile, tags and stage history as they were before it,
/// the loser recreated from its snapshot (with the current state of its accounts, which keep any
/// metric history gathered since), and every moved record moved back. Records the search
/// changes of both.
pub async fn unmerge(
    c: &mut Conn<'_>,
    ws: Uuid,
    before: &CreatorSnapshot,
    loser: &CreatorSnapshot,
    moved: &Moved,
) -> StoreResult<bool> {
    let (sid, lid) = (before.creator.id, loser.creator.id);
    let Some(current) = imports::load_snapshot(c, ws, sid).await? else { return Ok(false) };
    let loser_accounts: HashSet<Uuid> =
        loser.accounts.iter().map(|a| a.id).chain(moved.accounts.iter().copied()).collect();
    let account_keys: HashSet<(String, String)> =
        loser.accounts.iter().map(|a| (a.platform.clone(), a.handle_normalized.clone())).collect();
    let contact_ids: HashSet<Uuid> = loser.contacts.iter().map(|p| p.id).collect();
    let contact_keys: HashSet<(String, String)> =
        loser.contacts.iter().map(|p| (p.kind.clone(), p.normalized.clone())).collect();
    let keep_account = |a: &imports::AccountState| {
        !loser_accounts.contains(&a.id) && !account_keys.contains(&(a.platform.clone(), a.handle_normalized.clone()))
    };
    let kept: HashSet<Uuid> = current.accounts.iter().filter(|a| keep_account(a)).map(|a| a.id).collect();
    let survivor = CreatorSnapshot {
        creator: before.creator.clone(),
        tags: before.tags.clone(),
        contacts: current
            .contacts
            .iter()
            .filter(|p| !contact_ids.contains(&p.id) && !contact_keys.contains(&(p.kind.clone(), p.normalized.clone())))
            .cloned()
            .collect(),
        accounts: current.accounts.iter().filter(|a| kept.contains(&a.id)).cloned().collect(),
        account_snapshots: current.account_snapshots.iter().filter(|s| kept.contains(&s.account_id)).cloned().collect(),
        // The stage goes back to what it was before the merge, and its history with it.
        stage_changes: before.stage_changes.clone(),
    };
    // The loser's accounts come back as they are now (metrics and history gathered since
    // the merge stay); one deleted since comes back from the snapshot.
    let mut back = loser.clone();
    for a in back.accounts.iter_mut() {
        if let Some(now) = current.accounts.iter().find(|x| x.id == a.id) {
            *a = now.clone();
            back.account_snapshots.retain(|s| s.account_id != a.id);
            back.account_snapshots.extend(current.account_snapshots.iter().filter(|s| s.account_id == a.id).cloned());
        }
    }
    imports::restore_snapshot(c, ws, &survivor).await?;
    let k = &loser.creator;
    c.execute(
        "INSERT INTO creators (id, workspace_id, display_name, sort_name, stage, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            lid,
            ws,
            k.display_name.clone(),
            k.sort_name.clone(),
            k.stage.clone(),
            k.created_by.clone(),
            k.created_at,
            k.updated_at
        ],
    )
    .await?;
    imports::restore_snapshot(c, ws, &back).await?;
    const NOTES_BACK: &str = "UPDATE notes SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2 AND id IN";
    const TASKS_BACK: &str = "UPDATE tasks SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2 AND id IN";
    const INTERACTIONS_BACK: &str =
        "UPDATE interactions SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2 AND id IN";
    const EVENTS: &str =
        "UPDATE timeline_events SET subject_id = $3 WHERE workspace_id = $1 AND subject_id = $2 AND id IN";
    move_back(c, NOTES_BACK, ws, sid, lid, &moved.notes).await?;
    move_back(c, TASKS_BACK, ws, sid, lid, &moved.tasks).await?;
    move_back(c, INTERACTIONS_BACK, ws, sid, lid, &moved.interactions).await?;
    let [emails, received, enrollments, overrides, collaborations] = OUTREACH;
    for (table, rows) in [
        (emails, &moved.emails),
        (received, &moved.received),
        (enrollments, &moved.enrollments),
        (overrides, &moved.overrides),
        (collaborations, &moved.collaborations),
    ] {
        let sql = format!("UPDATE {table} SET creator_id = $3 WHERE workspace_id = $1 AND creator_id = $2 AND id IN");
        move_back(c, &sql, ws, sid, lid, rows).await?;
    }
    move_back(c, EVENTS, ws, sid, lid, &moved.events).await?;
    for (job, row) in &moved.import_rows {
        c.execute(
            "UPDATE import_job_rows SET creator_id = $3 WHERE workspace_id = $1 AND job_id = $2 AND row_number = $4 \
             AND creator_id = $5",
            args![ws, *job, lid, *row, sid],
        )
        .await?;
    }
    for l in &moved.shortlists {
        c.execute(
            "DELETE FROM shortlist_members WHERE workspace_id = $1 AND shortlist_id = $2 AND creator_id = $3",
            args![ws, *l, sid],
        )
        .await?;
    }
    for l in &moved.loser_memberships {
        c.execute(
            "INSERT INTO shortlist_members (shortlist_id, creator_id, workspace_id, added_by, added_at) \
             SELECT s.id, $2, s.workspace_id, $4, $5 FROM shortlists s WHERE s.workspace_id = $3 AND s.id = $1 \
             ON CONFLICT (shortlist_id, creator_id) DO NOTHING",
            args![l.shortlist_id, lid, ws, l.added_by.clone(), l.added_at],
        )
        .await?;
    }
    Ok(true)
}

/// How much would move from `loser`: accounts, contact points, notes, timeline events,
/// lists the survivor is not on yet, tags the survivor lacks, tasks, interactions.
pub async fn preview(c: &mut Conn<'_>, ws: Uuid, survivor: Uuid, loser: Uuid) -> StoreResult<[i64; 13]> {
    let two = |sql: &'static str| (sql, args![ws, loser]);
    let three = |sql: &'static str| (sql, args![ws, loser, survivor]);
    let queries = [
        two("SELECT COUNT(*) FROM social_accounts WHERE workspace_id = $1 AND creator_id = $2"),
        two("SELECT COUNT(*) FROM contact_points WHERE workspace_id = $1 AND creator_id = $2"),
        two("SELECT COUNT(*) FROM notes WHERE workspace_id = $1 AND creator_id = $2 AND deleted_at IS NULL"),
        two("SELECT COUNT(*) FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2"),
        three(
            "SELECT COUNT(*) FROM shortlist_members WHERE workspace_id = $1 AND creator_id = $2 AND shortlist_id NOT IN \
             (SELECT shortlist_id FROM shortlist_members WHERE creator_id = $3)",
        ),
        three(
            "SELECT COUNT(*) FROM creator_tags WHERE workspace_id = $1 AND creator_id = $2 AND tag NOT IN \
             (SELECT tag FROM creator_tags WHERE creator_id = $3)",
        ),
        two("SELECT COUNT(*) FROM tasks WHERE workspace_id = $1 AND creator_id = $2"),
        two("SELECT COUNT(*) FROM interactions WHERE workspace_id = $1 AND creator_id = $2"),
    ];
    let mut out = [0; 13];
    for (i, (sql, a)) in queries.into_iter().enumerate() {
        out[i] = c.scalar_i64(sql, a).await?;
    }
    for (i, table) in OUTREACH.iter().enumerate() {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE workspace_id = $1 AND creator_id = $2");
        out[8 + i] = c.scalar_i64(sql, args![ws, loser]).await?;
    }
    Ok(out)
}

/// A live creator's name and country, for the duplicate finder.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NameKey {
    pub id: Uuid,
    pub display_name: String,
    pub country: Option<String>,
}

/// A contact point or a handle of a live creator: `(creator, kind or platform, value)`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ValueKey {
    pub creator_id: Uuid,
    pub kind: String,
    pub value: String,
}

/// Live creators' names (at most `limit`, oldest first).
pub async fn name_keys(c: &mut Conn<'_>, ws: Uuid, limit: i64) -> StoreResult<Vec<NameKey>> {
    c.fetch_all(
        "SELECT id, display_name, country FROM creators WHERE workspace_id = $1 AND deleted_at IS NULL \
         ORDER BY id LIMIT $2",
        args![ws, limit],
    )
    .await
}

/// Live creators' email, phone, WhatsApp and website values (at most `limit`).
pub async fn contact_keys(c: &mut Conn<'_>, ws: Uuid, limit: i64) -> StoreResult<Vec<ValueKey>> {
    c.fetch_all(
        "SELECT p.creator_id, p.kind, p.normalized AS value FROM contact_points p JOIN creators c ON c.id = p.creator_id \
         WHERE p.workspace_id = $1 AND c.deleted_at IS NULL AND p.kind IN ('email', 'phone', 'whatsapp', 'website') \
         ORDER BY p.creator_id LIMIT $2",
        args![ws, limit],
    )
    .await
}

/// Live creators' handles (at most `limit`).
pub async fn handle_keys(c: &mut Conn<'_>, ws: Uuid, limit: i64) -> StoreResult<Vec<ValueKey>> {
    c.fetch_all(
        "SELECT a.creator_id, a.platform AS kind, a.handle_normalized AS value FROM social_accounts a \
         JOIN creators c ON c.id = a.creator_id WHERE a.workspace_id = $1 AND c.deleted_at IS NULL \
         ORDER BY a.creator_id LIMIT $2",
        args![ws, limit],
    )
    .await
}
