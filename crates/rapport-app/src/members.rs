//! Members of a workspace: accounts created from the CLI, invitations (single-use,
//! expiring links), role changes and removal — with the last owner always kept.

use crate::auth::{self, NewSession, check_password_policy};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::{App, tokens};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::email;
use rapport_core::ids::{InvitationId, UserId, WorkspaceId};
use rapport_core::roles::Role;
use rapport_core::validation::required_text;
use rapport_store::{Tx, invitations, sessions, users, workspaces};
use time::OffsetDateTime;

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// Creates a user (or finds the one with this email) inside the caller's transaction.
async fn ensure_user(app: &App, tx: &mut Tx, email_in: &str, name: &str, password: &str) -> AppResult<(UserId, bool)> {
    let mut e = Invalid::new();
    let addr = email::parse(email_in).map_err(|m| e.add("email", m)).ok();
    let name = required_text(&mut e, "name", Some(name), 120);
    if let Err(p) = check_password_policy("password", password) {
        e.errors.extend(p.errors);
    }
    let addr = e.into_result(addr)?.ok_or_else(|| internal("email missing"))?;
    if let Some(u) = users::find_by_email(&mut tx.conn(), &addr.normalized).await? {
        return Ok((UserId(u.id), false));
    }
    let hash = auth::hash_password(app.config.password_cost, password).await?;
    let id = UserId::new();
    users::insert(
        &mut tx.conn(),
        &users::UserRow { id: id.0, email: addr.normalized, name, password_hash: Some(hash), created_at: now() },
    )
    .await?;
    Ok((id, true))
}

/// The CLI's `admin create-user`: a user with a role in a workspace, created when missing.
pub async fn create_user(
    app: &App,
    email_in: &str,
    name: &str,
    password: &str,
    workspace_name: &str,
    role: Role,
) -> AppResult<(UserId, WorkspaceId)> {
    let mut tx = app.db.begin().await?;
    let (user, created) = ensure_user(app, &mut tx, email_in, name, password).await?;
    if !created {
        return Err(AppError::conflict(format!(
            "a user with the email {} already exists; use `rapport admin reset-password`",
            email_in.trim()
        )));
    }
    let slug = crate::workspaces::slugify(workspace_name);
    let ws = match workspaces::find_by_slug(&mut tx.conn(), &slug).await? {
        Some(w) => {
            users::add_member(&mut tx.conn(), w.id, user.0, role.slug(), now()).await?;
            WorkspaceId(w.id)
        }
        None => {
            let ws = crate::workspaces::create(&mut tx, workspace_name, "EUR", user).await?;
            users::set_role(&mut tx.conn(), ws.0, user.0, role.slug(), now()).await?;
            ws
        }
    };
    tx.commit().await?;
    Ok((user, ws))
}

/// The CLI's `admin reset-password`; ends the user's sessions.
pub async fn reset_password(app: &App, email_in: &str, password: &str) -> AppResult<()> {
    check_password_policy("password", password)?;
    let addr = email::parse(email_in).map_err(|m| Invalid::one("email", m))?;
    let hash = auth::hash_password(app.config.password_cost, password).await?;
    let mut tx = app.db.begin().await?;
    let user = users::find_by_email(&mut tx.conn(), &addr.normalized).await?.ok_or(AppError::NotFound)?;
    users::set_password(&mut tx.conn(), user.id, &hash, now()).await?;
    sessions::delete_for_user(&mut tx.conn(), user.id).await?;
    tx.commit().await?;
    Ok(())
}

/// A member as listed on the team page.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<Member>> {
    let rows = users::list_members(&mut app.db.read().await?.conn(), ctx.ws()).await?;
    rows.into_iter()
        .map(|m| {
            Ok(Member {
                user_id: UserId(m.user_id),
                email: m.email,
                name: m.name,
                role: Role::parse(&m.role).map_err(internal)?,
            })
        })
        .collect()
}

/// A fresh invitation; `token` goes into the link and is never stored.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

pub async fn invite(app: &App, ctx: &Ctx, email_in: &str, role_in: &str) -> AppResult<NewInvitation> {
    ctx.require_admin()?;
    let mut e = Invalid::new();
    let addr = email::parse(email_in).map_err(|m| e.add("email", m)).ok();
    let role = Role::parse(role_in).map_err(|m| e.add("role", m)).ok();
    if role == Some(Role::Owner) && ctx.role != Role::Owner {
        e.add("role", "only an owner can invite another owner");
    }
    let (addr, role) = match (addr, role, e.is_empty()) {
        (Some(a), Some(r), true) => (a, r),
        _ => return Err(e.into()),
    };
    let mut tx = app.db.begin().await?;
    if let Some(u) = users::find_by_email(&mut tx.conn(), &addr.normalized).await?
        && users::role_of(&mut tx.conn(), ctx.ws(), u.id).await?.is_some()
    {
        return Err(AppError::Conflict {
            message: format!("{} is already a member of this workspace", addr.value),
            field: Some("email".into()),
            existing: None,
        });
    }
    let token = tokens::random_token().map_err(internal)?;
    let t = now();
    let inv = invitations::InvitationRow {
        id: InvitationId::new().0,
        workspace_id: ctx.ws(),
        email: addr.normalized.clone(),
        role: role.slug().into(),
        invited_by: ctx.actor.to_string(),
        created_at: t,
        expires_at: t + app.config.invitation_ttl,
        accepted_at: None,
        revoked_at: None,
    };
    invitations::insert(&mut tx.conn(), &inv, tokens::hash(&token)).await?;
    tx.commit().await?;
    Ok(NewInvitation { id: InvitationId(inv.id), email: inv.email, role, token, expires_at: inv.expires_at })
}

/// A pending invitation as listed for admins.
#[derive(Debug, Clone)]
pub struct PendingInvitation {
    pub id: InvitationId,
    pub email: String,
    pub role: String,
    pub expires_at: OffsetDateTime,
}

pub async fn pending(app: &App, ctx: &Ctx) -> AppResult<Vec<PendingInvitation>> {
    ctx.require_admin()?;
    let rows = invitations::list_pending(&mut app.db.read().await?.conn(), ctx.ws(), now()).await?;
    Ok(rows
        .into_iter()
        .map(|i| PendingInvitation { id: InvitationId(i.id), email: i.email, role: i.role, expires_at: i.expires_at })
        .collect())
}

pub async fn revoke_invitation(app: &App, ctx: &Ctx, id: InvitationId) -> AppResult<()> {
    ctx.require_admin()?;
    let mut tx = app.db.begin().await?;
    if invitations::revoke(&mut tx.conn(), ctx.ws(), id.0, now()).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// What the acceptance page shows about a valid invitation.
#[derive(Debug, Clone)]
pub struct InvitationInfo {
    pub workspace_name: String,
    pub email: String,
    pub role: String,
    /// The invitee already has an account: they confirm with their password.
    pub existing_user: bool,
}

async fn valid_invitation(tx: &mut rapport_store::Conn<'_>, token: &str) -> AppResult<invitations::InvitationRow> {
    let inv = invitations::find_by_hash(tx, tokens::hash(token)).await?;
    match inv {
        Some(i) if i.accepted_at.is_none() && i.revoked_at.is_none() && i.expires_at > now() => Ok(i),
        _ => Err(AppError::NotFound),
    }
}

/// Looks an invitation up without using it.
pub async fn invitation_info(app: &App, token: &str) -> AppResult<InvitationInfo> {
    let mut r = app.db.read().await?;
    let inv = valid_invitation(&mut r.conn(), token).await?;
    let ws = workspaces::get(&mut r.conn(), inv.workspace_id).await?;
    let existing_user = users::find_by_email(&mut r.conn(), &inv.email).await?.is_some();
    Ok(InvitationInfo { workspace_name: ws.name, email: inv.email, role: inv.role, existing_user })
}

/// Accepts an invitation: sets the password of a new account (or checks the existing
/// one's), adds the membership, uses the link up and signs the person in.
pub async fn accept(app: &App, token: &str, name: &str, password: &str) -> AppResult<NewSession> {
    let mut tx = app.db.begin().await?;
    let inv = valid_invitation(&mut tx.conn(), token).await?;
    let user = match users::find_by_email(&mut tx.conn(), &inv.email).await? {
        Some(u) => {
            let ok = match u.password_hash.as_deref() {
                Some(h) => auth::verify_password(h, password).await,
                None => false,
            };
            if !ok {
                return Err(Invalid::one("password", "is not the password of your existing account").into());
            }
            UserId(u.id)
        }
        None => ensure_user(app, &mut tx, &inv.email, name, password).await?.0,
    };
    if invitations::mark_accepted(&mut tx.conn(), inv.id, now()).await? != 1 {
        return Err(AppError::NotFound);
    }
    users::add_member(&mut tx.conn(), inv.workspace_id, user.0, &inv.role, now()).await?;
    let session = auth::start_session(app, &mut tx, user.0, inv.workspace_id).await?;
    tx.commit().await?;
    Ok(session)
}

/// Changes a member's role; only owners grant or take away ownership, and a workspace
/// always keeps an owner.
pub async fn change_role(app: &App, ctx: &Ctx, user: UserId, role_in: &str) -> AppResult<()> {
    ctx.require_admin()?;
    let role = Role::parse(role_in).map_err(|m| Invalid::one("role", m))?;
    let mut tx = app.db.begin().await?;
    let current = users::role_of(&mut tx.conn(), ctx.ws(), user.0).await?.ok_or(AppError::NotFound)?;
    let current = Role::parse(&current).map_err(internal)?;
    if (role == Role::Owner || current == Role::Owner) && ctx.role != Role::Owner {
        return Err(AppError::Forbidden("only an owner can grant or remove ownership".into()));
    }
    if current == Role::Owner && role != Role::Owner && users::count_owners(&mut tx.conn(), ctx.ws()).await? <= 1 {
        return Err(AppError::conflict("the workspace must keep at least one owner"));
    }
    users::set_role(&mut tx.conn(), ctx.ws(), user.0, role.slug(), now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member and ends their sessions in this workspace.
pub async fn remove(app: &App, ctx: &Ctx, user: UserId) -> AppResult<()> {
    ctx.require_admin()?;
    let mut tx = app.db.begin().await?;
    let current = users::role_of(&mut tx.conn(), ctx.ws(), user.0).await?.ok_or(AppError::NotFound)?;
    if current == Role::Owner.slug() {
        if ctx.role != Role::Owner {
            return Err(AppError::Forbidden("only an owner can remove an owner".into()));
        }
        if users::count_owners(&mut tx.conn(), ctx.ws()).await? <= 1 {
            return Err(AppError::conflict("the workspace must keep at least one owner"));
        }
    }
    users::remove_member(&mut tx.conn(), ctx.ws(), user.0).await?;
    sessions::delete_for_member(&mut tx.conn(), ctx.ws(), user.0).await?;
    tx.commit().await?;
    Ok(())
}
