//! API keys: created by admins (UI or CLI), shown once, stored as a SHA-256 hash with a
//! visible prefix, scoped read or write, revocable, optionally expiring.

use crate::context::{Ctx, Scope};
use crate::error::{AppError, AppResult};
use crate::{App, tokens};
use rapport_core::Invalid;
use rapport_core::actor::{Actor, now};
use rapport_core::ids::{ApiKeyId, WorkspaceId};
use rapport_core::roles::Role;
use rapport_core::validation::required_text;
use rapport_store::api_keys;
use serde::Serialize;
use time::OffsetDateTime;

/// Every key starts with this, so leaked keys are easy to spot.
pub const KEY_PREFIX: &str = "rap_";

#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub scope: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

fn view(k: api_keys::ApiKeyRow) -> ApiKeyView {
    ApiKeyView {
        id: ApiKeyId(k.id),
        name: k.name,
        prefix: k.prefix,
        scope: k.scope,
        created_at: k.created_at,
        expires_at: k.expires_at,
        revoked_at: k.revoked_at,
        last_used_at: k.last_used_at,
    }
}

/// Creates a key in the caller's workspace; the secret is in the result and nowhere else.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    name: &str,
    scope: &str,
    expires_in_days: Option<i64>,
) -> AppResult<(ApiKeyView, String)> {
    ctx.require_admin()?;
    create_unchecked(app, ctx.workspace_id, &ctx.actor.to_string(), name, scope, expires_in_days).await
}

/// Creates a key without a permission check (the CLI acts as the operator).
pub async fn create_unchecked(
    app: &App,
    workspace: WorkspaceId,
    created_by: &str,
    name: &str,
    scope: &str,
    expires_in_days: Option<i64>,
) -> AppResult<(ApiKeyView, String)> {
    let mut e = Invalid::new();
    let name = required_text(&mut e, "name", Some(name), 80);
    let scope = match scope.trim() {
        "read" | "write" => scope.trim().to_owned(),
        _ => {
            e.add("scope", "must be read or write");
            String::new()
        }
    };
    if let Some(d) = expires_in_days
        && !(1..=3650).contains(&d)
    {
        e.add("expires_in_days", "must be between 1 and 3650 days");
    }
    e.into_result(())?;
    let internal = |err: getrandom::Error| AppError::Internal(err.to_string());
    let prefix = format!("{KEY_PREFIX}{}", tokens::random_alnum(8).map_err(internal)?);
    let secret = format!("{prefix}_{}", tokens::random_token().map_err(internal)?);
    let t = now();
    let row = api_keys::ApiKeyRow {
        id: ApiKeyId::new().0,
        workspace_id: workspace.0,
        name,
        prefix,
        scope,
        created_by: created_by.to_owned(),
        created_at: t,
        expires_at: expires_in_days.map(|d| t + time::Duration::days(d)),
        revoked_at: None,
        last_used_at: None,
    };
    let mut tx = app.db.begin().await?;
    api_keys::insert(&mut tx.conn(), &row, tokens::hash(&secret)).await?;
    tx.commit().await?;
    Ok((view(row), secret))
}

pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<ApiKeyView>> {
    ctx.require_admin()?;
    let rows = api_keys::list(&mut app.db.read().await?.conn(), ctx.ws()).await?;
    Ok(rows.into_iter().map(view).collect())
}

pub async fn revoke(app: &App, ctx: &Ctx, id: ApiKeyId) -> AppResult<()> {
    ctx.require_admin()?;
    let mut tx = app.db.begin().await?;
    api_keys::get(&mut tx.conn(), ctx.ws(), id.0).await?;
    api_keys::revoke(&mut tx.conn(), ctx.ws(), id.0, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves a bearer key to a context; any failure is the same 401.
pub async fn authenticate(app: &App, secret: &str) -> AppResult<Ctx> {
    let hash = secret_hash(secret)?;
    let mut r = app.db.read().await?;
    let key = api_keys::find_by_hash(&mut r.conn(), hash).await?.ok_or_else(denied)?;
    admit(&mut r.conn(), key).await
}

/// [`authenticate`] for a listing: with the workspace's settings and the change log's
/// position the listing reads next ([`crate::creators::ListBasis`]), in the key's statement.
pub async fn authenticate_for_listing(app: &App, secret: &str) -> AppResult<(Ctx, crate::creators::ListBasis)> {
    let hash = secret_hash(secret)?;
    let mut r = app.db.read().await?;
    let found = api_keys::find_by_hash_with_settings(&mut r.conn(), hash).await?.ok_or_else(denied)?;
    let ctx = admit(&mut r.conn(), found.key).await?;
    let settings = crate::settings::parse(&found.settings)?;
    Ok((ctx, crate::creators::ListBasis { settings, latest_change: found.latest_change }))
}

/// The stored form of a presented key; one without the prefix is refused unread.
fn secret_hash(secret: &str) -> AppResult<Vec<u8>> {
    if secret.starts_with(KEY_PREFIX) { Ok(tokens::hash(secret)) } else { Err(denied()) }
}

fn denied() -> AppError {
    AppError::Unauthorized("the API key is not valid".into())
}

/// The context of a key found by its secret, unless it is revoked or expired.
async fn admit(c: &mut rapport_store::Conn<'_>, key: api_keys::ApiKeyRow) -> AppResult<Ctx> {
    let t = now();
    if key.revoked_at.is_some() || key.expires_at.is_some_and(|e| e <= t) {
        return Err(denied());
    }
    // Recorded at minute precision, so most requests read without writing.
    if key.last_used_at.is_none_or(|u| t - u >= time::Duration::minutes(1)) {
        api_keys::touch(c, key.id, t).await?;
    }
    let (scope, role) = if key.scope == "write" { (Scope::Write, Role::Member) } else { (Scope::Read, Role::Viewer) };
    Ok(Ctx {
        workspace_id: WorkspaceId(key.workspace_id),
        actor: Actor::ApiKey(ApiKeyId(key.id)),
        actor_label: format!("API key “{}”", key.name),
        role,
        scope,
    })
}
