//! Workspaces: creating one with its first owner, and listing a person's workspaces.

use crate::App;
use crate::error::AppResult;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::ids::{UserId, WorkspaceId};
use rapport_core::money::Currency;
use rapport_core::roles::Role;
use rapport_store::{Tx, users, workspaces};

/// Makes a URL slug from a name ("Acme Beauty GmbH" → "acme-beauty-gmbh").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for ch in name.to_lowercase().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(48).collect()
}

/// Creates a workspace owned by `owner` (inside the caller's transaction).
pub async fn create(tx: &mut Tx, name: &str, currency: &str, owner: UserId) -> AppResult<WorkspaceId> {
    let name = name.trim();
    let mut e = Invalid::new();
    if name.is_empty() || name.chars().count() > 80 {
        e.add("workspace_name", "must be 1–80 characters");
    }
    let currency = Currency::parse(currency).map_err(|m| e.add("currency", m)).ok();
    let currency = e.into_result(currency)?.map(|c| c.to_string()).unwrap_or_default();
    let base = match slugify(name) {
        s if s.is_empty() => "workspace".to_string(),
        s => s,
    };
    let mut slug = base.clone();
    let mut n = 1;
    while workspaces::find_by_slug(&mut tx.conn(), &slug).await?.is_some() {
        n += 1;
        slug = format!("{base}-{n}");
    }
    let t = now();
    let id = WorkspaceId::new();
    workspaces::insert(
        &mut tx.conn(),
        &workspaces::WorkspaceRow {
            id: id.0,
            name: name.to_owned(),
            slug,
            default_currency: currency,
            timezone: "UTC".into(),
            created_at: t,
        },
    )
    .await?;
    users::add_member(&mut tx.conn(), id.0, owner.0, Role::Owner.slug(), t).await?;
    Ok(id)
}

/// The context of the operator (CLI) acting on a workspace given by slug.
pub async fn operator_ctx(app: &App, slug: &str) -> AppResult<crate::Ctx> {
    let ws = workspaces::find_by_slug(&mut app.db.read().await?.conn(), slug)
        .await?
        .ok_or_else(|| Invalid::one("workspace", format!("no workspace has the slug {slug}")))?;
    Ok(crate::Ctx::system(WorkspaceId(ws.id), rapport_core::actor::Actor::System, "operator"))
}

/// A workspace a person belongs to.
#[derive(Debug, Clone)]
pub struct MyWorkspace {
    pub id: WorkspaceId,
    pub name: String,
    pub role: String,
}

pub async fn list_mine(app: &App, user: UserId) -> AppResult<Vec<MyWorkspace>> {
    let rows = workspaces::list_for_user(&mut app.db.read().await?.conn(), user.0).await?;
    Ok(rows.into_iter().map(|w| MyWorkspace { id: WorkspaceId(w.id), name: w.name, role: w.role }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(slugify("  Acme Beauty GmbH!! "), "acme-beauty-gmbh");
        assert_eq!(slugify("Über Café"), "ber-caf");
        assert_eq!(slugify("!!!"), "");
    }
}
