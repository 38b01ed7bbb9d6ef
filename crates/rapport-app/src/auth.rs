//! People auth: argon2id passwords, browser sessions behind hashed tokens, login rate
//! limiting kept in the database (so it holds across several server processes).

use crate::context::{Ctx, Scope};
use crate::error::{AppError, AppResult};
use crate::tokens;
use crate::{App, PasswordCost};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use rapport_core::Invalid;
use rapport_core::actor::{Actor, now};
use rapport_core::ids::{UserId, WorkspaceId};
use rapport_core::roles::Role;
use rapport_store::users::UserRow;
use rapport_store::{sessions, users, workspaces};
use time::Duration;

/// Failed logins allowed in [`LOGIN_WINDOW`]: for one account from one client address (after
/// which that address waits, even with the right password), for one account from anywhere
/// (a guesser spread over many addresses; high, so that someone else's failures take many
/// tries to shut the owner out), and from one client address for any accounts.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
pub const MAX_FAILURES_PER_ACCOUNT_ANYWHERE: i64 = 100;
pub const MAX_FAILURES_PER_CLIENT: i64 = 50;
pub const LOGIN_WINDOW: Duration = Duration::minutes(15);

fn argon(cost: PasswordCost) -> AppResult<Argon2<'static>> {
    let params = match cost {
        PasswordCost::Standard => Params::default(),
        PasswordCost::Cheap => {
            Params::new(Params::MIN_M_COST, 1, 1, None).map_err(|e| AppError::Internal(e.to_string()))?
        }
    };
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks the password policy: 10–200 characters.
pub fn check_password_policy(field: &str, password: &str) -> Result<(), Invalid> {
    let n = password.chars().count();
    if n < 10 {
        return Err(Invalid::one(field, "must be at least 10 characters"));
    }
    if n > 200 {
        return Err(Invalid::one(field, "must be at most 200 characters"));
    }
    Ok(())
}

/// Hashes on the blocking pool (argon2 is deliberately slow).
pub async fn hash_password(cost: PasswordCost, password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        argon(cost)?
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies on the blocking pool; a malformed stored hash never verifies.
pub async fn verify_password(hash: &str, password: &str) -> bool {
    let (hash, password) = (hash.to_owned(), password.to_owned());
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// A new browser session: give `token` to the browser, keep nothing else.
#[derive(Debug)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// Logs a person in to the first (or a chosen) workspace they belong to.
pub async fn login(app: &App, email: &str, password: &str, client: Option<&str>) -> AppResult<NewSession> {
    let email = email.trim().to_lowercase();
    let t = now();
    let account_key = tokens::hash(&format!("login:{email}"));
    let from_client_key = tokens::hash(&format!("login:{email}\nclient:{}", client.unwrap_or("")));
    let client_key = client.map(|c| tokens::hash(&format!("client:{c}")));
    let mut r = app.db.read().await?;
    let since = t - LOGIN_WINDOW;
    let per_account = sessions::login_failures_since(&mut r.conn(), account_key.clone(), since).await?;
    let from_client = sessions::login_failures_since(&mut r.conn(), from_client_key.clone(), since).await?;
    let per_client = match &client_key {
        Some(k) => sessions::login_failures_since(&mut r.conn(), k.clone(), since).await?,
        None => 0,
    };
    if from_client >= MAX_FAILURES_PER_ACCOUNT
        || per_account >= MAX_FAILURES_PER_ACCOUNT_ANYWHERE
        || per_client >= MAX_FAILURES_PER_CLIENT
    {
        return Err(AppError::RateLimited { retry_after_secs: LOGIN_WINDOW.whole_seconds() as u64 });
    }
    let user = users::find_by_email(&mut r.conn(), &email).await?;
    drop(r);
    let verified = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => verify_password(hash, password).await,
        None => {
            // Spend the same time as a real check so the answer does not reveal accounts.
            let _ = hash_password(app.config.password_cost, password).await;
            false
        }
    };
    let mut tx = app.db.begin().await?;
    let Some(user) = user.filter(|_| verified) else {
        sessions::record_login_failure(&mut tx.conn(), account_key, t).await?;
        sessions::record_login_failure(&mut tx.conn(), from_client_key, t).await?;
        if let Some(k) = client_key {
            sessions::record_login_failure(&mut tx.conn(), k, t).await?;
        }
        tx.commit().await?;
        return Err(AppError::Unauthorized("the email or password is not correct".into()));
    };
    let memberships = workspaces::list_for_user(&mut tx.conn(), user.id).await?;
    let Some(first) = memberships.first() else {
        return Err(AppError::Forbidden("this account is not a member of any workspace".into()));
    };
    sessions::clear_login_failures(&mut tx.conn(), account_key).await?;
    sessions::clear_login_failures(&mut tx.conn(), from_client_key).await?;
    let session = start_session(app, &mut tx, user.id, first.id).await?;
    tx.commit().await?;
    tracing::info!(user = %UserId(user.id), "signed in");
    Ok(session)
}

/// Creates a session row for a user in a workspace (inside the caller's transaction).
pub async fn start_session(
    app: &App,
    tx: &mut rapport_store::Tx,
    user_id: uuid::Uuid,
    workspace_id: uuid::Uuid,
) -> AppResult<NewSession> {
    let token = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let csrf_token = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let t = now();
    sessions::insert(
        &mut tx.conn(),
        tokens::hash(&token),
        &sessions::SessionRow {
            user_id,
            workspace_id,
            csrf_token: csrf_token.clone(),
            expires_at: t + app.config.session_ttl,
            last_seen_at: t,
        },
        t,
    )
    .await?;
    Ok(NewSession { token, csrf_token })
}

/// A signed-in person, resolved from the session cookie.
#[derive(Debug, Clone)]
pub struct SessionCtx {
    pub ctx: Ctx,
    pub user: UserRow,
    pub csrf_token: String,
    pub workspace_name: String,
}

/// Resolves a session token; `None` when unknown, expired, or the membership is gone.
pub async fn resolve_session(app: &App, token: &str) -> AppResult<Option<SessionCtx>> {
    let hash = tokens::hash(token);
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let Some(s) = sessions::get(&mut c, hash.clone()).await? else { return Ok(None) };
    let t = now();
    if s.expires_at <= t {
        return Ok(None);
    }
    let Some(role) = users::role_of(&mut c, s.workspace_id, s.user_id).await? else { return Ok(None) };
    let role = Role::parse(&role).map_err(AppError::Internal)?;
    let user = users::get(&mut c, s.user_id).await?;
    let ws = workspaces::get(&mut c, s.workspace_id).await?;
    drop(r);
    // Slide the expiry, but write at most every ten minutes.
    if t - s.last_seen_at > Duration::minutes(10) {
        sessions::touch(&mut app.db.read().await?.conn(), hash, t, t + app.config.session_ttl).await?;
    }
    Ok(Some(SessionCtx {
        ctx: Ctx {
            workspace_id: WorkspaceId(s.workspace_id),
            actor: Actor::User(UserId(user.id)),
            actor_label: user.name.clone(),
            role,
            scope: Scope::Write,
        },
        user,
        csrf_token: s.csrf_token,
        workspace_name: ws.name,
    }))
}

pub async fn logout(app: &App, token: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    sessions::delete(&mut tx.conn(), tokens::hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a session to another workspace the user belongs to (404 otherwise).
pub async fn switch_workspace(app: &App, token: &str, user_id: UserId, to: WorkspaceId) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    if users::role_of(&mut tx.conn(), to.0, user_id.0).await?.is_none() {
        return Err(AppError::NotFound);
    }
    sessions::switch_workspace(&mut tx.conn(), tokens::hash(token), to.0).await?;
    tx.commit().await?;
    Ok(())
}
