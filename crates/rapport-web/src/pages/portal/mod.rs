//! The creator portal: sign-in by magic link on a workspace's portal page
//! (`/portal/{workspace slug}`), the confirmation page that uses the link up only when the
//! creator confirms, the portal session cookie with its own CSRF token, and sign-out. The
//! creator's own collaborations and deliverables are in [`deal`].

mod deal;

use crate::auth::{PreAuthForm, cookie, pre_auth_token, set_cookie};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_app::portal::{self, PortalSession};
use rapport_app::{AppError, tokens};
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub const PORTAL_COOKIE: &str = "rapport_portal";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/sign-in/{token}", get(confirm_page).post(confirm))
        .route("/portal/sign-out", post(sign_out))
        .route("/portal/w/{slug}", get(sign_in_page).post(request_link))
        .merge(deal::router())
}

/// A page for someone outside the team: an error message without the app shell.
pub fn outside_error(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    (status, Html(crate::pages::error_page(status.as_u16(), title, message))).into_response()
}

/// Errors of outside pages: an expired or used link says so instead of sending the
/// visitor to the team's login page.
pub fn outside(e: AppError) -> Response {
    match e {
        AppError::Unauthorized(m) => outside_error(StatusCode::UNAUTHORIZED, &m),
        AppError::NotFound => outside_error(StatusCode::NOT_FOUND, "This page does not exist."),
        other => PageError(other).into_response(),
    }
}

/// The signed-in creator of a portal request.
#[derive(Clone)]
pub struct Portal {
    pub s: PortalSession,
    pub token: String,
}

/// No portal session: say how to get one (not the team's login page).
pub struct NoPortal;

impl IntoResponse for NoPortal {
    fn into_response(self) -> Response {
        outside_error(
            StatusCode::UNAUTHORIZED,
            "Your portal session has ended. Open the sign-in link from your email again, or ask for a new one.",
        )
    }
}

impl FromRequestParts<AppState> for Portal {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, PORTAL_COOKIE).ok_or_else(|| NoPortal.into_response())?;
        match portal::resolve(&state.app, &token).await {
            Ok(Some(s)) => Ok(Portal { s, token }),
            Ok(None) => Err(NoPortal.into_response()),
            Err(e) => Err(outside(e)),
        }
    }
}

/// A form posted in the portal, with the portal session's CSRF token checked.
pub struct PortalForm<T> {
    pub portal: Portal,
    pub form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PortalForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let portal = Portal::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| outside_error(StatusCode::PAYLOAD_TOO_LARGE, "The form could not be read."))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let csrf = pairs.iter().find(|(k, _)| k == crate::auth::CSRF_FIELD).map(|(_, v)| v.as_str());
        if !csrf.is_some_and(|t| tokens::constant_time_eq(t, &portal.s.csrf_token)) {
            return Err(outside_error(
                StatusCode::FORBIDDEN,
                "This form has expired or did not come from the portal. Go back, reload the page and try again.",
            ));
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes)
            .map_err(|e| outside_error(StatusCode::UNPROCESSABLE_ENTITY, &format!("The form is not valid: {e}")))?;
        Ok(PortalForm { portal, form })
    }
}

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage {
    css: String,
    slug: String,
    csrf: String,
    email: String,
    error: Option<String>,
    sent: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    email: String,
}

fn sign_in(
    state: &AppState,
    slug: String,
    email: String,
    error: Option<String>,
    sent: bool,
) -> Result<Response, PageError> {
    let (csrf, cookie) = pre_auth_token(state)?;
    let page = SignInPage { css: crate::assets::css_url(), slug, csrf, email, error, sent };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, [cookie], Html(page.render()?)).into_response())
}

async fn sign_in_page(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, PageError> {
    sign_in(&state, slug, String::new(), None, false)
}

async fn request_link(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    f: PreAuthForm<SignInForm>,
) -> Result<Response, PageError> {
    let origin = state.public_origin(&headers);
    match portal::request_link(&state.app, &slug, &f.form.email, &origin).await {
        Ok(()) => sign_in(&state, slug, String::new(), None, true),
        Err(AppError::Invalid(e)) => {
            let msg = e.message_for("email").unwrap_or("is not valid").to_string();
            sign_in(&state, slug, f.form.email, Some(format!("The email address {msg}.")), false)
        }
        Err(e) => Ok(outside(e)),
    }
}

#[derive(Template)]
#[template(path = "portal/confirm.html")]
struct ConfirmPage {
    css: String,
    token: String,
    csrf: String,
    creator_name: String,
    workspace_name: String,
}

/// Opening the link only shows who will be signed in (mail scanners open links).
async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let info = match portal::link_info(&state.app, &token).await {
        Ok(i) => i,
        Err(e) => return Ok(outside(e)),
    };
    let (csrf, cookie) = pre_auth_token(&state)?;
    let page = ConfirmPage {
        css: crate::assets::css_url(),
        token,
        csrf,
        creator_name: info.creator_name,
        workspace_name: info.workspace_name,
    };
    Ok(([cookie], Html(page.render()?)).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    _f: PreAuthForm<Empty>,
) -> Result<Response, PageError> {
    match portal::confirm(&state.app, &token).await {
        Ok((session, _)) => {
            let max_age = portal::SESSION_TTL.whole_seconds();
            let mut resp = Redirect::to("/portal").into_response();
            resp.headers_mut().append(SET_COOKIE, set_cookie(&state, PORTAL_COOKIE, &session, max_age));
            Ok(resp)
        }
        Err(e) => Ok(outside(e)),
    }
}

async fn sign_out(State(state): State<AppState>, f: PortalForm<Empty>) -> Result<Response, PageError> {
    portal::sign_out(&state.app, &f.portal.token).await?;
    let mut resp = outside_error(StatusCode::OK, "You are signed out of the portal.");
    resp.headers_mut().append(SET_COOKIE, set_cookie(&state, PORTAL_COOKIE, "", 0));
    Ok(resp)
}
