//! Shortlists: a saved search (its list query, re-run when opened — dynamic) or a
//! hand-picked list of creators (static), with bulk add and remove.

use crate::App;
use crate::context::Ctx;
use crate::creators::CreatorQuery;
use crate::error::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::ids::{CreatorId, ShortlistId};
use rapport_core::validation::required_text;
use rapport_store::shortlists as store;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The most creators one bulk action adds (a larger result is refused, not truncated).
pub const MAX_BULK: usize = 5000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShortlistView {
    #[schema(value_type = String, example = "sl_0193…")]
    pub id: ShortlistId,
    pub name: String,
    /// `saved_search` (dynamic) or `static` (hand-picked).
    pub kind: String,
    /// For saved searches: the list query string, e.g. `platform=tiktok&tier=micro`.
    pub query: String,
    /// For static lists: how many live creators are on it.
    pub members: i64,
    /// Of those, how many are marked do-not-contact (hidden when the list is opened, unless asked for).
    pub do_not_contact: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

fn view(r: store::ShortlistRow) -> ShortlistView {
    ShortlistView {
        id: ShortlistId(r.id),
        name: r.name,
        kind: r.kind,
        query: r.query,
        members: r.members,
        do_not_contact: r.do_not_contact,
        updated_at: r.updated_at,
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortlistInput {
    pub name: Option<String>,
    /// `saved_search` or `static` (default).
    pub kind: Option<String>,
    /// A saved search's list query string.
    pub query: Option<String>,
}

/// Parses a list query string into the query model.
pub fn query_from_string(q: &str) -> Result<CreatorQuery, Invalid> {
    CreatorQuery::from_query_string(q)
}

pub async fn create(app: &App, ctx: &Ctx, input: ShortlistInput) -> AppResult<ShortlistView> {
    ctx.require_write()?;
    let mut e = Invalid::new();
    let name = required_text(&mut e, "name", input.name.as_deref(), 80);
    let kind = match input.kind.as_deref().map(str::trim) {
        None | Some("") | Some("static") => "static",
        Some("saved_search") => "saved_search",
        Some(_) => {
            e.add("kind", "must be saved_search or static");
            "static"
        }
    };
    let query = input.query.unwrap_or_default();
    if kind == "static" && !query.trim().is_empty() {
        e.add("query", "only a saved search has a query; a hand-picked list gets its creators added to it");
    }
    if query.chars().any(char::is_control) {
        e.add("query", "must be one line, a query string such as country=DE&tier=micro");
    } else if kind == "saved_search" && query.trim().trim_start_matches('?').is_empty() {
        e.add("query", "a saved search needs filters or search words (an empty one would be every creator)");
    } else if kind == "saved_search" {
        match query_from_string(&query) {
            Ok(q) => {
                if let Err(AppError::Invalid(i)) = crate::creators::check_query(app, ctx, &q).await {
                    for f in i.errors {
                        e.add("query", format!("{}: {}", f.field, f.message));
                    }
                }
            }
            Err(i) => e.errors.extend(
                i.errors.into_iter().map(|f| rapport_core::FieldError { field: "query".into(), message: f.message }),
            ),
        }
    }
    e.into_result(())?;
    let t = now();
    let row = store::ShortlistRow {
        id: ShortlistId::new().0,
        name,
        kind: kind.into(),
        query: if kind == "saved_search" { query.trim_start_matches('?').to_string() } else { String::new() },
        created_by: ctx.actor.to_string(),
        created_at: t,
        updated_at: t,
        members: 0,
        do_not_contact: 0,
    };
    let mut tx = app.db.begin().await?;
    store::insert(&mut tx.conn(), ctx.ws(), &row).await?;
    tx.commit().await?;
    Ok(view(row))
}

pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<ShortlistView>> {
    Ok(store::list(&mut app.db.read().await?.conn(), ctx.ws()).await?.into_iter().map(view).collect())
}

pub async fn get(app: &App, ctx: &Ctx, id: ShortlistId) -> AppResult<ShortlistView> {
    store::get(&mut app.db.read().await?.conn(), ctx.ws(), id.0).await?.map(view).ok_or(AppError::NotFound)
}

pub async fn rename(app: &App, ctx: &Ctx, id: ShortlistId, name: &str) -> AppResult<ShortlistView> {
    ctx.require_write()?;
    let mut e = Invalid::new();
    let name = required_text(&mut e, "name", Some(name), 80);
    e.into_result(())?;
    let current = get(app, ctx, id).await?;
    let mut tx = app.db.begin().await?;
    store::update(&mut tx.conn(), ctx.ws(), id.0, &name, &current.query, now()).await?;
    tx.commit().await?;
    get(app, ctx, id).await
}

pub async fn delete(app: &App, ctx: &Ctx, id: ShortlistId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    if store::delete(&mut tx.conn(), ctx.ws(), id.0).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Which creators a bulk action applies to: listed ids, or every result of a list query.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersInput {
    #[serde(default)]
    pub creator_ids: Vec<String>,
    /// A list query string: every matching creator (at most 5 000).
    pub query: Option<String>,
}

async fn resolve(app: &App, ctx: &Ctx, input: &MembersInput) -> AppResult<Vec<uuid::Uuid>> {
    if input.creator_ids.len() > MAX_BULK {
        let many = format!("has {} ids; at most {MAX_BULK} at a time", input.creator_ids.len());
        return Err(Invalid::one("creator_ids", many).into());
    }
    let mut ids = Vec::new();
    for (i, s) in input.creator_ids.iter().enumerate() {
        let id: CreatorId =
            s.parse().map_err(|e: rapport_core::ids::BadId| Invalid::one(format!("creator_ids.{i}"), e.to_string()))?;
        ids.push(id.0);
    }
    // An id of no creator of this workspace (a typo, another workspace's) is named, not
    // counted as "already on the list".
    if !ids.is_empty() {
        let rows = rapport_store::creators::get_many(&mut app.db.read().await?.conn(), ctx.ws(), &ids).await?;
        let known: std::collections::HashSet<uuid::Uuid> = rows.iter().map(|c| c.id).collect();
        let mut e = Invalid::new();
        for (i, id) in ids.iter().enumerate().filter(|(_, id)| !known.contains(id)) {
            e.add(format!("creator_ids.{i}"), format!("{} is not a creator of this workspace", CreatorId(*id)));
        }
        e.into_result(())?;
    }
    if let Some(q) = input.query.as_deref().filter(|q| !q.trim().is_empty()) {
        let mut query = query_from_string(q).map_err(|i| Invalid::one("query", i.to_string()))?;
        query.limit = Some("200".into());
        loop {
            let (page, total) = crate::creators::list_with_total(app, ctx, &query).await?;
            if total as usize > MAX_BULK {
                return Err(Invalid::one(
                    "query",
                    format!("matches {total} creators; narrow it to at most {MAX_BULK}"),
                )
                .into());
            }
            ids.extend(page.items.iter().map(|c| c.id.0));
            match page.next_cursor {
                Some(c) => query.cursor = Some(c),
                None => break,
            }
        }
    }
    if ids.is_empty() {
        return Err(Invalid::one("creator_ids", "choose at least one creator").into());
    }
    Ok(ids)
}

async fn static_list(app: &App, ctx: &Ctx, id: ShortlistId) -> AppResult<ShortlistView> {
    let l = get(app, ctx, id).await?;
    if l.kind != "static" {
        return Err(AppError::conflict("a saved search has no members of its own; save a hand-picked list instead"));
    }
    Ok(l)
}

/// Adds creators; ids of other workspaces are ignored. Returns how many were added.
pub async fn add(app: &App, ctx: &Ctx, id: ShortlistId, input: MembersInput) -> AppResult<u64> {
    ctx.require_write()?;
    static_list(app, ctx, id).await?;
    let ids = resolve(app, ctx, &input).await?;
    let mut tx = app.db.begin().await?;
    let n = store::add_members(&mut tx.conn(), ctx.ws(), id.0, &ids, &ctx.actor.to_string(), now()).await?;
    tx.commit().await?;
    Ok(n)
}

/// Removes creators. Returns how many were removed.
pub async fn remove(app: &App, ctx: &Ctx, id: ShortlistId, input: MembersInput) -> AppResult<u64> {
    ctx.require_write()?;
    static_list(app, ctx, id).await?;
    let ids = resolve(app, ctx, &input).await?;
    let mut tx = app.db.begin().await?;
    let n = store::remove_members(&mut tx.conn(), ctx.ws(), id.0, &ids).await?;
    tx.commit().await?;
    Ok(n)
}

/// The lists a creator is on, for the record page.
pub async fn of_creator(app: &App, ctx: &Ctx, creator: CreatorId) -> AppResult<Vec<(ShortlistId, String)>> {
    let rows = store::of_creator(&mut app.db.read().await?.conn(), ctx.ws(), creator.0).await?;
    Ok(rows.into_iter().map(|(id, name)| (ShortlistId(id), name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_string_becomes_the_query_model() {
        let q = query_from_string("?platform=tiktok&q=vegan+baking&tag=vip%2Cfood&cursor=abc").unwrap();
        assert_eq!(q.platform.as_deref(), Some("tiktok"));
        assert_eq!(q.q.as_deref(), Some("vegan baking"));
        assert_eq!(q.tag.as_deref(), Some("vip,food"));
        assert!(q.cursor.is_none(), "paging is not part of a saved search");
    }
}
