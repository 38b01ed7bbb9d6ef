//! Workspace settings for owners and admins: the team (invite, change roles, remove) and
//! API keys (create — the secret is shown once — and revoke).

use super::{Flash, Layout, redirect_with_flash, redirect_with_problem};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format::{date, relative};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::{AppError, api_keys, members};
use rapport_core::actor::now;
use rapport_core::ids::{ApiKeyId, InvitationId, UserId};
use rapport_core::roles::Role;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/team", get(team_page))
        .route("/settings/team/invite", post(invite))
        .route("/settings/team/{user}/role", post(change_role))
        .route("/settings/team/{user}/remove", post(remove_member))
        .route("/settings/invitations/{id}/revoke", post(revoke_invitation))
        .route("/settings/api-keys", get(keys_page).post(create_key))
        .route("/settings/api-keys/{id}/revoke", post(revoke_key))
}

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub is_me: bool,
    pub roles: Vec<(String, String, bool)>,
}

pub struct InviteRow {
    pub id: String,
    pub email: String,
    pub role: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "settings/team.html")]
struct TeamPage {
    layout: Layout,
    members: Vec<MemberRow>,
    invitations: Vec<InviteRow>,
    invite_email: String,
    invite_role: String,
    roles: Vec<(String, String)>,
    error: Option<(String, String)>,
    new_link: Option<(String, String)>,
}

async fn render_team(
    state: &AppState,
    session: &Session,
    flash: Flash,
    invite_email: String,
    invite_role: String,
    error: Option<(String, String)>,
    new_link: Option<(String, String)>,
) -> Result<TeamPage, PageError> {
    let ctx = session.ctx();
    ctx.require_admin()?;
    let roles: Vec<(String, String)> = Role::ALL
        .iter()
        .filter(|r| **r != Role::Owner || ctx.role == Role::Owner)
        .map(|r| (r.slug().to_string(), r.label().to_string()))
        .collect();
    let members = members::list(&state.app, ctx)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            id: m.user_id.to_string(),
            is_me: m.user_id.0 == session.s.user.id,
            roles: roles.iter().map(|(s, l)| (s.clone(), l.clone(), *s == m.role.slug())).collect(),
            role: m.role.label().to_string(),
            name: m.name,
            email: m.email,
        })
        .collect();
    let invitations = members::pending(&state.app, ctx)
        .await?
        .into_iter()
        .map(|i| InviteRow { id: i.id.to_string(), email: i.email, role: i.role, expires: date(i.expires_at) })
        .collect();
    let layout = Layout::new(state, session, "Team", "team", flash).await?;
    Ok(TeamPage { layout, members, invitations, invite_email, invite_role, roles, error, new_link })
}

async fn team_page(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    let page = render_team(&state, &session, flash, String::new(), "member".into(), None, None).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    f: CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    match members::invite(&state.app, f.session.ctx(), &f.form.email, &f.form.role).await {
        Ok(inv) => {
            let link = format!("{}/invite/{}", state.public_origin(&headers), inv.token);
            let page = render_team(
                &state,
                &f.session,
                Flash(None),
                String::new(),
                "member".into(),
                None,
                Some((inv.email, link)),
            )
            .await?;
            Ok(Html(page.render()?).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            let e = inv.errors.first().map(|e| (e.field.clone(), e.message.clone()));
            let page = render_team(&state, &f.session, Flash(None), f.form.email, f.form.role, e, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(AppError::Conflict { message, .. }) => {
            let page = render_team(
                &state,
                &f.session,
                Flash(None),
                f.form.email,
                f.form.role,
                Some(("email".into(), message)),
                None,
            )
            .await?;
            Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    Path(user): Path<String>,
    f: CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    match members::change_role(&state.app, f.session.ctx(), user, &f.form.role).await {
        Ok(()) => Ok(redirect_with_flash(&state, "/settings/team", "Role changed.")),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with_problem(&state, "/settings/team", &crate::format::sentence(&message)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn remove_member(
    State(state): State<AppState>,
    Path(user): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    match members::remove(&state.app, f.session.ctx(), user).await {
        Ok(()) => Ok(redirect_with_flash(&state, "/settings/team", "Member removed.")),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with_problem(&state, "/settings/team", &crate::format::sentence(&message)))
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_invitation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: InvitationId = id.parse().map_err(|_| AppError::NotFound)?;
    members::revoke_invitation(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, "/settings/team", "Invitation revoked; the link no longer works."))
}

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "settings/keys.html")]
struct KeysPage {
    layout: Layout,
    keys: Vec<KeyRow>,
    name: String,
    scope: String,
    expires_in_days: String,
    error: Option<(String, String)>,
    new_secret: Option<(String, String)>,
}

async fn render_keys(
    state: &AppState,
    session: &Session,
    flash: Flash,
    form: KeyForm,
    error: Option<(String, String)>,
    new_secret: Option<(String, String)>,
) -> Result<KeysPage, PageError> {
    let t = now();
    let keys = api_keys::list(&state.app, session.ctx())
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.to_string(),
            prefix: k.prefix,
            scope: if k.scope == "write" { "Read and write".into() } else { "Read only".into() },
            created: date(k.created_at),
            last_used: k.last_used_at.map(|u| relative(u, t)).unwrap_or_else(|| "never".into()),
            expires: k.expires_at.map(date).unwrap_or_else(|| "never".into()),
            revoked: k.revoked_at.is_some(),
            name: k.name,
        })
        .collect();
    let layout = Layout::new(state, session, "API keys", "keys", flash).await?;
    Ok(KeysPage {
        layout,
        keys,
        name: form.name,
        scope: form.scope,
        expires_in_days: form.expires_in_days,
        error,
        new_secret,
    })
}

async fn keys_page(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    session.ctx().require_admin()?;
    let form = KeyForm { name: String::new(), scope: "read".into(), expires_in_days: String::new() };
    let page = render_keys(&state, &session, flash, form, None, None).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyForm {
    name: String,
    scope: String,
    expires_in_days: String,
}

async fn create_key(State(state): State<AppState>, f: CsrfForm<KeyForm>) -> Result<Response, PageError> {
    let days = f.form.expires_in_days.trim();
    let days = if days.is_empty() {
        Ok(None)
    } else {
        days.parse::<i64>()
            .map(Some)
            .map_err(|_| ("expires_in_days".to_string(), "must be a whole number of days".to_string()))
    };
    let result = match days {
        Ok(d) => api_keys::create(&state.app, f.session.ctx(), &f.form.name, &f.form.scope, d).await,
        Err((field, message)) => Err(AppError::Invalid(rapport_core::Invalid::one(field, message))),
    };
    match result {
        Ok((key, secret)) => {
            let form = KeyForm { name: String::new(), scope: "read".into(), expires_in_days: String::new() };
            let page = render_keys(&state, &f.session, Flash(None), form, None, Some((key.name, secret))).await?;
            Ok(Html(page.render()?).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            let e = inv.errors.first().map(|e| (e.field.clone(), e.message.clone()));
            let page = render_keys(&state, &f.session, Flash(None), f.form, e, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: ApiKeyId = id.parse().map_err(|_| AppError::NotFound)?;
    api_keys::revoke(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, "/settings/api-keys", "API key revoked; requests with it are refused from now on."))
}
