//! Signing in and out, and switching between workspaces.

use crate::auth::{CsrfForm, PreAuthForm, SESSION_COOKIE, Session, cookie, pre_auth_token, set_cookie};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/workspaces/switch", post(switch_workspace))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    email: String,
    error: Option<String>,
    csrf: String,
    css: String,
}

fn render_login(
    state: &AppState,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (csrf, cookie) = pre_auth_token(state)?;
    let page = LoginPage { email, error, csrf, css: crate::assets::css_url() };
    Ok((status, [cookie], Html(page.render()?)).into_response())
}

async fn login_page(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && rapport_app::auth::resolve_session(&state.app, &token).await?.is_some()
    {
        return Ok(Redirect::to("/creators").into_response());
    }
    render_login(&state, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    PreAuthForm { form, .. }: PreAuthForm<LoginForm>,
) -> Result<Response, PageError> {
    let client = state.client_address(peer.ip(), &headers).to_string();
    match rapport_app::auth::login(&state.app, &form.email, &form.password, Some(&client)).await {
        Ok(session) => {
            let ttl = state.app.config.session_ttl.whole_seconds();
            let mut resp = Redirect::to("/creators").into_response();
            resp.headers_mut().append(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, &session.token, ttl));
            Ok(resp)
        }
        Err(e @ (AppError::Unauthorized(_) | AppError::RateLimited { .. } | AppError::Forbidden(_))) => {
            let status = crate::error::classify(&e).0;
            let msg = match e {
                AppError::RateLimited { .. } => "Too many failed attempts. Wait 15 minutes and try again.".to_string(),
                other => crate::format::sentence(&other.to_string()),
            };
            render_login(&state, status, form.email, Some(msg))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(state): State<AppState>, f: CsrfForm<Empty>) -> Result<Response, PageError> {
    rapport_app::auth::logout(&state.app, &f.session.token).await?;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0));
    Ok(resp)
}

#[derive(Deserialize)]
struct SwitchForm {
    workspace: String,
}

async fn switch_workspace(State(state): State<AppState>, f: CsrfForm<SwitchForm>) -> Result<Response, PageError> {
    let Session { s, token } = f.session;
    let to = f.form.workspace.parse().map_err(|_| AppError::NotFound)?;
    rapport_app::auth::switch_workspace(&state.app, &token, rapport_core::ids::UserId(s.user.id), to).await?;
    Ok(Redirect::to("/creators").into_response())
}
