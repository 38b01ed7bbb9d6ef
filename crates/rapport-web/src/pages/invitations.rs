//! Accepting an invitation: the link opens a page; submitting it sets the password (or
//! confirms an existing account's), joins the workspace and signs in. The link works once.

use crate::auth::{PreAuthForm, SESSION_COOKIE, pre_auth_token, set_cookie};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use rapport_app::AppError;
use rapport_app::members::{self, InvitationInfo};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(invitation_page).post(accept_invitation))
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    info: InvitationInfo,
    token: String,
    name: String,
    errors: Vec<(String, String)>,
    csrf: String,
    css: String,
}

impl InvitePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn render(
    state: &AppState,
    status: StatusCode,
    info: InvitationInfo,
    token: String,
    name: String,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let (csrf, cookie) = pre_auth_token(state)?;
    let page = InvitePage { info, token, name, errors, csrf, css: crate::assets::css_url() };
    Ok((status, [cookie], Html(page.render()?)).into_response())
}

async fn invitation_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let info = members::invitation_info(&state.app, &token).await.map_err(|e| match e {
        AppError::NotFound => AppError::Forbidden(
            "This invitation link is invalid, was already used, or has expired. Ask your admin for a new one.".into(),
        ),
        other => other,
    })?;
    render(&state, StatusCode::OK, info, token, String::new(), vec![])
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    PreAuthForm { form, .. }: PreAuthForm<AcceptForm>,
) -> Result<Response, PageError> {
    match members::accept(&state.app, &token, &form.name, &form.password).await {
        Ok(session) => {
            let ttl = state.app.config.session_ttl.whole_seconds();
            let mut resp = Redirect::to("/creators").into_response();
            resp.headers_mut().append(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, &session.token, ttl));
            Ok(resp)
        }
        Err(AppError::Invalid(inv)) => {
            let info = members::invitation_info(&state.app, &token).await?;
            let errors = inv.errors.into_iter().map(|e| (e.field, e.message)).collect();
            render(&state, StatusCode::UNPROCESSABLE_ENTITY, info, token, form.name, errors)
        }
        Err(AppError::NotFound) => {
            Err(AppError::Forbidden("This invitation link is invalid, was already used, or has expired.".into()).into())
        }
        Err(e) => Err(e.into()),
    }
}
