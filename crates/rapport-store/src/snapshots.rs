//! A creator's complete stored state as a snapshot — the row, tags, contact points,
//! accounts with their metric history, and the stage history — loaded one or many at a
//! time, restored exactly (undo of an import or a merge), and the hard delete that undoes
//! a created creator.

use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::sql::Filter;
use crate::stage_changes::StageChangeRow;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// The editable columns of a creator row as `SET` assignments of `$3`…`$18`, in the order
/// of [`profile_args`] (the caller binds the workspace and id as `$1` and `$2`).
pub(crate) const PROFILE_COLUMNS: &str = "display_name = $3, sort_name = $4, legal_name = $5, pronouns = $6, \
    country = $7, city = $8, languages = $9, timezone = $10, bio = $11, niches = $12, tone_notes = $13, \
    owner_id = (SELECT u.id FROM users u WHERE u.id = $14), stage = $15, do_not_contact = $16, source = $17, \
    custom_fields = $18, touch_every_days = $19";

/// The values of [`PROFILE_COLUMNS`].
pub(crate) fn profile_args(k: &CreatorState) -> Vec<Arg> {
    args![
        k.display_name.clone(),
        k.sort_name.clone(),
        k.legal_name.clone(),
        k.pronouns.clone(),
        k.country.clone(),
        k.city.clone(),
        k.languages.clone(),
        k.timezone.clone(),
        k.bio.clone(),
        k.niches.clone(),
        k.tone_notes.clone(),
        k.owner_id,
        k.stage.clone(),
        k.do_not_contact,
        k.source.clone(),
        k.custom_fields.clone(),
        k.touch_every_days
    ]
}

/// Every column of a creator row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CreatorState {
    pub id: Uuid,
    pub display_name: String,
    pub sort_name: String,
    pub legal_name: Option<String>,
    pub pronouns: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: String,
    pub timezone: Option<String>,
    pub bio: Option<String>,
    pub niches: String,
    pub tone_notes: Option<String>,
    pub owner_id: Option<Uuid>,
    pub stage: String,
    pub do_not_contact: bool,
    pub source: Option<String>,
    pub custom_fields: String,
    pub max_followers: i64,
    pub search_text: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
    /// Absent in snapshots taken before cadences existed.
    #[serde(default)]
    pub touch_every_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ContactState {
    pub id: Uuid,
    pub kind: String,
    pub value: String,
    pub normalized: String,
    pub is_primary: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opted_out_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AccountState {
    pub id: Uuid,
    pub platform: String,
    pub handle: String,
    pub handle_normalized: String,
    pub url: Option<String>,
    pub platform_user_id: Option<String>,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub audience: String,
    pub audience_quality_pct: Option<f64>,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub observed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AccountSnapshotState {
    pub id: Uuid,
    pub account_id: Uuid,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub observed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Everything stored about a creator that an import can change: the row, tags, contact
/// points, accounts and their metric history, and the stage history. Restoring it puts
/// back exactly this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorSnapshot {
    pub creator: CreatorState,
    pub tags: Vec<String>,
    pub contacts: Vec<ContactState>,
    pub accounts: Vec<AccountState>,
    pub account_snapshots: Vec<AccountSnapshotState>,
    /// `None` in snapshots taken before stage history existed: restoring one leaves the
    /// history as it is.
    #[serde(default)]
    pub stage_changes: Option<Vec<StageChangeRow>>,
}

/// The full stored state of a creator of the workspace.
pub async fn load_snapshot(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<CreatorSnapshot>> {
    Ok(load_snapshots(c, workspace_id, &[id]).await?.remove(&id))
}

#[derive(sqlx::FromRow)]
struct ContactOf {
    creator_id: Uuid,
    #[sqlx(flatten)]
    state: ContactState,
}

#[derive(sqlx::FromRow)]
struct AccountOf {
    creator_id: Uuid,
    #[sqlx(flatten)]
    state: AccountState,
}

#[derive(sqlx::FromRow)]
struct AccountSnapshotOf {
    creator_id: Uuid,
    #[sqlx(flatten)]
    state: AccountSnapshotState,
}

/// The full stored states of creators of the workspace, by id (ids of no creator of the
/// workspace are left out), with six statements per chunk of ids.
pub async fn load_snapshots(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, CreatorSnapshot>> {
    load(c, workspace_id, ids, true).await
}

/// The current states of creators without their histories (no metric snapshots, and
/// `stage_changes` left `None`): what deciding a change needs, not what restoring needs.
pub async fn load_current(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, CreatorSnapshot>> {
    load(c, workspace_id, ids, false).await
}

async fn load(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    ids: &[Uuid],
    history: bool,
) -> StoreResult<HashMap<Uuid, CreatorSnapshot>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::bulk::LOOKUP_CHUNK) {
        let query = |columns: &str, from: &str, order: &str| {
            let mut f = Filter::with_args(args![workspace_id]);
            let list = f.uuid_list(chunk);
            f.finish(format!("SELECT {columns} FROM {from} IN ({list}) ORDER BY {order}"))
        };
        let (sql, a) = query(
            "id, display_name, sort_name, legal_name, pronouns, country, city, languages, timezone, bio, niches, \
             tone_notes, owner_id, stage, do_not_contact, source, custom_fields, max_followers, search_text, \
             created_by, created_at, updated_at, deleted_at, touch_every_days",
            "creators WHERE workspace_id = $1 AND id",
            "id",
        );
        let creators: Vec<CreatorState> = c.fetch_all(sql, a).await?;
        if creators.is_empty() {
            continue;
        }
        let (sql, a) =
            query("creator_id, tag", "creator_tags WHERE workspace_id = $1 AND creator_id", "creator_id, tag");
        let tags: Vec<(Uuid, String)> = c.fetch_all(sql, a).await?;
        let (sql, a) = query(
            "creator_id, id, kind, value, normalized, is_primary, opted_out_at, created_at",
            "contact_points WHERE workspace_id = $1 AND creator_id",
            "creator_id, is_primary DESC, kind, value",
        );
        let contacts: Vec<ContactOf> = c.fetch_all(sql, a).await?;
        let (sql, a) = query(
            "creator_id, id, platform, handle, handle_normalized, url, platform_user_id, followers, average_views, \
             engagement_rate_pct, audience, audience_quality_pct, source, observed_at, created_at, updated_at",
            "social_accounts WHERE workspace_id = $1 AND creator_id",
            "creator_id, followers DESC NULLS LAST, platform, id",
        );
        let accounts: Vec<AccountOf> = c.fetch_all(sql, a).await?;
        let (sql, a) = query(
            "a.creator_id, s.id, s.account_id, s.followers, s.average_views, s.engagement_rate_pct, s.source, \
             s.observed_at, s.created_at",
            "account_snapshots s JOIN social_accounts a ON a.id = s.account_id WHERE a.workspace_id = $1 AND a.creator_id",
            "a.creator_id, s.account_id, s.id",
        );
        let (account_snapshots, stage_changes) = if history {
            let snapshots: Vec<AccountSnapshotOf> = c.fetch_all(sql, a).await?;
            (snapshots, crate::stage_changes::for_creators(c, workspace_id, chunk).await?)
        } else {
            (Vec::new(), Vec::new())
        };
        for creator in creators {
            let id = creator.id;
            let snapshot = CreatorSnapshot {
                creator,
                tags: Vec::new(),
                contacts: Vec::new(),
                accounts: Vec::new(),
                account_snapshots: Vec::new(),
                stage_changes: history.then(Vec::new),
            };
            out.insert(id, snapshot);
        }
        for (id, tag) in tags {
            if let Some(s) = out.get_mut(&id) {
                s.tags.push(tag);
            }
        }
        for r in contacts {
            if let Some(s) = out.get_mut(&r.creator_id) {
                s.contacts.push(r.state);
            }
        }
        for r in accounts {
            if let Some(s) = out.get_mut(&r.creator_id) {
                s.accounts.push(r.state);
            }
        }
        for r in account_snapshots {
            if let Some(s) = out.get_mut(&r.creator_id) {
                s.account_snapshots.push(r.state);
            }
        }
        for r in stage_changes {
            if let Some(Some(rows)) = out.get_mut(&r.creator_id).map(|s| s.stage_changes.as_mut()) {
                rows.push(r);
            }
        }
    }
    Ok(out)
}

/// Puts a creator back exactly as in `s`: every column (including `updated_at`), tags,
/// contact points, accounts and their snapshots, and the stage history. An owner who no
/// longer exists is cleared. Returns `false` when the creator no longer exists.
pub async fn restore_snapshot(c: &mut Conn<'_>, workspace_id: Uuid, s: &CreatorSnapshot) -> StoreResult<bool> {
    let k = &s.creator;
    let mut a = args![workspace_id, k.id];
    a.extend(profile_args(k));
    a.extend(args![
        k.max_followers,
        k.search_text.clone(),
        k.created_by.clone(),
        k.created_at,
        k.updated_at,
        k.deleted_at
    ]);
    let n = c
        .execute(
            format!(
                "UPDATE creators SET {PROFILE_COLUMNS}, max_followers = $20, search_text = $21, created_by = $22, \
                 created_at = $23, updated_at = $24, deleted_at = $25 WHERE workspace_id = $1 AND id = $2"
            ),
            a,
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    crate::changes::record(c, workspace_id, k.id).await?;
    if let Some(history) = &s.stage_changes {
        crate::stage_changes::replace(c, workspace_id, k.id, history).await?;
    }
    c.execute("DELETE FROM creator_tags WHERE creator_id = $1", args![k.id]).await?;
    for tag in &s.tags {
        c.execute(
            "INSERT INTO creator_tags (workspace_id, creator_id, tag) VALUES ($1, $2, $3)",
            args![workspace_id, k.id, tag.clone()],
        )
        .await?;
    }
    c.execute("DELETE FROM contact_points WHERE creator_id = $1", args![k.id]).await?;
    for p in &s.contacts {
        c.execute(
            "INSERT INTO contact_points (id, workspace_id, creator_id, kind, value, normalized, is_primary, \
             opted_out_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                p.id,
                workspace_id,
                k.id,
                p.kind.clone(),
                p.value.clone(),
                p.normalized.clone(),
                p.is_primary,
                p.opted_out_at,
                p.created_at
            ],
        )
        .await?;
    }
    // Accounts go with their snapshots (ON DELETE CASCADE) and come back with theirs.
    c.execute("DELETE FROM social_accounts WHERE workspace_id = $1 AND creator_id = $2", args![workspace_id, k.id])
        .await?;
    for a in &s.accounts {
        c.execute(
            "INSERT INTO social_accounts (id, workspace_id, creator_id, platform, handle, handle_normalized, url, \
             platform_user_id, followers, average_views, engagement_rate_pct, audience, audience_quality_pct, \
             source, observed_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            args![
                a.id,
                workspace_id,
                k.id,
                a.platform.clone(),
                a.handle.clone(),
                a.handle_normalized.clone(),
                a.url.clone(),
                a.platform_user_id.clone(),
                a.followers,
                a.average_views,
                a.engagement_rate_pct,
                a.audience.clone(),
                a.audience_quality_pct,
                a.source.clone(),
                a.observed_at,
                a.created_at,
                a.updated_at
            ],
        )
        .await?;
    }
    for p in &s.account_snapshots {
        c.execute(
            "INSERT INTO account_snapshots (id, workspace_id, account_id, followers, average_views, \
             engagement_rate_pct, source, observed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                p.id,
                workspace_id,
                p.account_id,
                p.followers,
                p.average_views,
                p.engagement_rate_pct,
                p.source.clone(),
                p.observed_at,
                p.created_at
            ],
        )
        .await?;
    }
    Ok(true)
}

/// Deletes a creator for good: the row, and through ON DELETE CASCADE its tags, contact
/// points, accounts, snapshots and notes; its timeline goes too (it describes a record
/// that no longer exists and holds personal data). Returns the creators deleted (0 or 1).
pub async fn hard_delete_creator(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<u64> {
    crate::changes::record(c, workspace_id, id).await?;
    c.execute("DELETE FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2", args![workspace_id, id])
        .await?;
    c.execute("DELETE FROM creators WHERE workspace_id = $1 AND id = $2", args![workspace_id, id]).await
}
