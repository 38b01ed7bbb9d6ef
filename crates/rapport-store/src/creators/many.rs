//! Many creators at a time, for bulk paths (the CSV import): who holds a set of contact
//! points, inserts and updates with multi-row statements, and the derived columns (largest
//! following, search text) computed for many creators at once.

use super::{contact_points, draft_args, tags};
use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::sql::Filter;
use rapport_core::creators::CreatorDraft;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A contact point's holder, from [`holders_of_contacts`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactHolder {
    pub kind: String,
    pub normalized: String,
    pub id: Uuid,
    pub display_name: String,
    pub deleted_at: Option<OffsetDateTime>,
}

/// The creators (deleted or not) holding any of the contact points `keys` — `(kind,
/// normalized)` pairs — in a few statements.
pub async fn holders_of_contacts(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    keys: &[(String, String)],
) -> StoreResult<Vec<ContactHolder>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(crate::bulk::LOOKUP_CHUNK) {
        let mut kinds: Vec<&str> = chunk.iter().map(|k| k.0.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut f = Filter::with_args(args![workspace_id]);
        let kinds: Vec<String> = kinds.into_iter().map(|k| f.param(Arg::from(k))).collect();
        let values: Vec<String> = chunk.iter().map(|k| f.param(Arg::from(k.1.as_str()))).collect();
        let (sql, a) = f.finish(format!(
            "SELECT p.kind, p.normalized, c.id, c.display_name, c.deleted_at FROM contact_points p \
             JOIN creators c ON c.id = p.creator_id \
             WHERE p.workspace_id = $1 AND p.kind IN ({}) AND p.normalized IN ({})",
            kinds.join(", "),
            values.join(", ")
        ));
        let rows: Vec<ContactHolder> = c.fetch_all(sql, a).await?;
        // The query matched each column on its own; keep the rows of the pairs asked for.
        let wanted: std::collections::HashSet<(&str, &str)> =
            chunk.iter().map(|k| (k.0.as_str(), k.1.as_str())).collect();
        out.extend(rows.into_iter().filter(|r| wanted.contains(&(r.kind.as_str(), r.normalized.as_str()))));
    }
    Ok(out)
}

/// The search text of a creator: its name, legal name, city, country, niches, handles
/// (sorted), contact values (primary first, then by kind and value) and tags (sorted),
/// lowercased — what the database's substring search matches.
fn search_text<'a>(
    head: impl IntoIterator<Item = &'a str>,
    handles: Vec<&'a str>,
    contacts: Vec<&'a str>,
    tags: Vec<&'a str>,
) -> String {
    let mut words: Vec<&str> = head.into_iter().collect();
    words.extend(handles);
    words.extend(contacts);
    words.extend(tags);
    words.join(" ").to_lowercase()
}

/// The search text of a creator about to be written from `d` with accounts of `handles`
/// (the same text [`refresh_derived`] computes once it is stored).
pub fn draft_search_text(d: &CreatorDraft, handles: &[&str]) -> String {
    let mut handles = handles.to_vec();
    handles.sort_unstable();
    let mut contacts: Vec<_> = d.contact_points.iter().collect();
    contacts.sort_by(|a, b| (!a.primary, &a.kind, &a.value).cmp(&(!b.primary, &b.kind, &b.value)));
    let mut tags: Vec<&str> = d.tags.iter().map(String::as_str).collect();
    tags.sort_unstable();
    let head = [Some(d.display_name.as_str()), d.legal_name.as_deref(), d.city.as_deref(), d.country.as_deref()];
    let head = head.into_iter().flatten().chain(d.niches.iter().map(String::as_str));
    search_text(head, handles, contacts.iter().map(|c| c.value.as_str()).collect(), tags)
}

/// Recomputes the denormalised columns: largest following and the search text.
pub async fn refresh_derived(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<()> {
    refresh_derived_many(c, workspace_id, &[id], None).await
}

/// Recomputes the largest following and the search text of many creators — read with a
/// few statements, written with one per creator — and sets `updated_at` when given.
pub async fn refresh_derived_many(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    ids: &[Uuid],
    updated_at: Option<OffsetDateTime>,
) -> StoreResult<()> {
    #[derive(sqlx::FromRow)]
    struct AccountOf {
        creator_id: Uuid,
        handle: String,
        followers: Option<i64>,
    }
    for chunk in ids.chunks(crate::bulk::LOOKUP_CHUNK) {
        let rows = super::get_many(c, workspace_id, chunk).await?;
        let mut f = Filter::default();
        let list = f.uuid_list(chunk);
        let (sql, a) = f.finish(format!(
            "SELECT creator_id, handle, followers FROM social_accounts WHERE creator_id IN ({list}) \
             ORDER BY creator_id, handle"
        ));
        let accounts: Vec<AccountOf> = c.fetch_all(sql, a).await?;
        let contacts = contact_points(c, chunk).await?;
        let tags = tags(c, chunk).await?;
        // Per creator: its accounts, contact values and tags.
        type Parts<'a> = (Vec<&'a AccountOf>, Vec<&'a str>, Vec<&'a str>);
        let mut by_creator: HashMap<Uuid, Parts<'_>> = HashMap::new();
        for a in &accounts {
            by_creator.entry(a.creator_id).or_default().0.push(a);
        }
        for p in &contacts {
            by_creator.entry(p.creator_id).or_default().1.push(p.value.as_str());
        }
        for t in &tags {
            by_creator.entry(t.0).or_default().2.push(t.1.as_str());
        }
        for row in rows {
            let (mine, contacts, tags) = by_creator.remove(&row.id).unwrap_or_default();
            let max_followers = mine.iter().filter_map(|a| a.followers).max().unwrap_or(0);
            let niches = serde_json::from_str::<Vec<String>>(&row.niches).unwrap_or_default();
            let head = [
                Some(row.display_name.as_str()),
                row.legal_name.as_deref(),
                row.city.as_deref(),
                row.country.as_deref(),
            ];
            let head = head.into_iter().flatten().chain(niches.iter().map(String::as_str));
            let search_text = search_text(head, mine.iter().map(|a| a.handle.as_str()).collect(), contacts, tags);
            c.execute(
                "UPDATE creators SET search_text = $3, max_followers = $4, updated_at = COALESCE($5, updated_at) \
                 WHERE id = $1 AND workspace_id = $2",
                args![row.id, workspace_id, search_text, max_followers, updated_at],
            )
            .await?;
        }
    }
    Ok(())
}

/// A creator to write with [`insert_many`], with its derived columns computed beforehand.
pub struct NewCreator<'a> {
    pub id: Uuid,
    pub draft: &'a CreatorDraft,
    pub search_text: String,
    pub max_followers: i64,
}

/// Inserts many creators with their tags and contact points, and their entries in the
/// change log, in a few multi-row statements.
pub async fn insert_many(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creators: &[NewCreator<'_>],
    created_by: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let mut rows = Vec::with_capacity(creators.len());
    for n in creators {
        let mut a = args![n.id, workspace_id];
        a.extend(draft_args(n.draft)?);
        a.extend(args![created_by, now, now, n.max_followers, n.search_text.clone()]);
        rows.push(a);
    }
    crate::bulk::insert(
        c,
        "INSERT INTO creators (id, workspace_id, display_name, sort_name, legal_name, pronouns, country, \
         city, languages, timezone, bio, niches, tone_notes, owner_id, stage, do_not_contact, source, \
         custom_fields, touch_every_days, created_by, created_at, updated_at, max_followers, search_text)",
        24,
        "",
        rows,
    )
    .await?;
    let children: Vec<(Uuid, &CreatorDraft)> = creators.iter().map(|n| (n.id, n.draft)).collect();
    write_children(c, workspace_id, &children, now, false).await
}

/// Replaces every editable field, the tags and the contact points of many creators (one
/// statement per creator for its row, a few for all their tags and contact points).
pub async fn update_many(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creators: &[(Uuid, &CreatorDraft)],
    now: OffsetDateTime,
) -> StoreResult<()> {
    for (id, d) in creators {
        let mut a = args![*id, workspace_id];
        a.extend(draft_args(d)?);
        a.push(Arg::Time(now));
        c.execute(
            "UPDATE creators SET display_name = $3, sort_name = $4, legal_name = $5, pronouns = $6, \
             country = $7, city = $8, languages = $9, timezone = $10, bio = $11, niches = $12, \
             tone_notes = $13, owner_id = $14, stage = $15, do_not_contact = $16, source = $17, \
             custom_fields = $18, touch_every_days = $19, updated_at = $20 WHERE id = $1 AND workspace_id = $2",
            a,
        )
        .await?;
    }
    write_children(c, workspace_id, creators, now, true).await
}

/// Writes the tags and contact points of creators (replacing what they had when
/// `replace`), and records them in the change log.
pub(super) async fn write_children(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creators: &[(Uuid, &CreatorDraft)],
    now: OffsetDateTime,
    replace: bool,
) -> StoreResult<()> {
    let ids: Vec<Uuid> = creators.iter().map(|(id, _)| *id).collect();
    if replace {
        for table in ["creator_tags", "contact_points"] {
            for chunk in ids.chunks(crate::bulk::LOOKUP_CHUNK) {
                let mut f = Filter::default();
                let list = f.uuid_list(chunk);
                let (sql, a) = f.finish(format!("DELETE FROM {table} WHERE creator_id IN ({list})"));
                c.execute(sql, a).await?;
            }
        }
    }
    let (mut tag_rows, mut contact_rows) = (Vec::new(), Vec::new());
    for (id, d) in creators {
        tag_rows.extend(d.tags.iter().map(|tag| args![workspace_id, *id, tag.clone()]));
        for cp in &d.contact_points {
            contact_rows.push(args![
                Uuid::now_v7(),
                workspace_id,
                *id,
                cp.kind.clone(),
                cp.value.clone(),
                cp.normalized.clone(),
                cp.primary,
                now
            ]);
        }
    }
    crate::bulk::insert(c, "INSERT INTO creator_tags (workspace_id, creator_id, tag)", 3, "", tag_rows).await?;
    crate::bulk::insert(
        c,
        "INSERT INTO contact_points (id, workspace_id, creator_id, kind, value, normalized, is_primary, created_at)",
        8,
        "",
        contact_rows,
    )
    .await?;
    crate::changes::record_many(c, ids.iter().map(|id| args![workspace_id, *id, now]).collect()).await
}
