//! Credentials → context. API requests carry `Authorization: Bearer <key>`; browser
//! requests carry the session cookie, and every state-changing form carries the session's
//! CSRF token (checked by [`CsrfForm`]). Forms used before sign-in (login, invitation)
//! use a double-submit cookie instead ([`PreAuthForm`]).

use crate::error::{ApiError, PageError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use rapport_app::auth::SessionCtx;
use rapport_app::{AppError, Ctx, tokens};
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "rapport_session";
pub const PRE_CSRF_COOKIE: &str = "rapport_form";
/// The hidden form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
const MAX_FORM_BYTES: usize = 1 << 20;

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure behind TLS.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The API caller, from a bearer API key.
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ApiCtx(rapport_app::api_keys::authenticate(&state.app, bearer(parts)?).await?))
    }
}

/// The API caller of a listing, with what the listing reads before its query (the workspace's
/// settings and the change log's position), found in the key's own statement.
pub struct ApiListCtx(pub Ctx, pub rapport_app::creators::ListBasis);

impl FromRequestParts<AppState> for ApiListCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (ctx, basis) = rapport_app::api_keys::authenticate_for_listing(&state.app, bearer(parts)?).await?;
        Ok(ApiListCtx(ctx, basis))
    }
}

/// The key of an `Authorization: Bearer` header.
fn bearer(parts: &Parts) -> Result<&str, AppError> {
    let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    header
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or_else(|| AppError::Unauthorized("send an API key as `Authorization: Bearer rap_…`".into()))
}

/// The signed-in person of a page request; without a session, the login page.
#[derive(Clone)]
pub struct Session {
    pub s: SessionCtx,
    pub token: String,
}

impl Session {
    pub fn ctx(&self) -> &Ctx {
        &self.s.ctx
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(s) = parts.extensions.get::<Session>() {
            return Ok(s.clone());
        }
        let unauthorized = || PageError(AppError::Unauthorized("sign in".into()));
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(unauthorized)?;
        let s = rapport_app::auth::resolve_session(&state.app, &token).await?.ok_or_else(unauthorized)?;
        let session = Session { s, token };
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

fn csrf_of(pairs: &[(String, String)]) -> Option<&str> {
    pairs.iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.as_str())
}

fn forbidden() -> PageError {
    PageError(AppError::Forbidden(
        "This form has expired or did not come from Rapport. Go back, reload the page and try again.".into(),
    ))
}

async fn read_form<T: DeserializeOwned>(req: Request, state: &AppState) -> Result<(Bytes, T), PageError> {
    let body = Bytes::from_request(req, state)
        .await
        .map_err(|_| PageError(AppError::Invalid(rapport_core::Invalid::one("body", "could not be read"))))?;
    if body.len() > MAX_FORM_BYTES {
        return Err(PageError(AppError::Invalid(rapport_core::Invalid::one("body", "is too large"))));
    }
    let value = serde_urlencoded::from_bytes::<T>(&body)
        .map_err(|e| PageError(AppError::Invalid(rapport_core::Invalid::one("form", e.to_string()))))?;
    Ok((body, value))
}

/// A form posted by a signed-in person, with its CSRF token checked. `raw` keeps the
/// body for repeated fields (checkbox lists) that the typed form cannot hold.
pub struct CsrfForm<T> {
    pub session: Session,
    pub form: T,
    pub raw: Bytes,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        let (bytes, form) = read_form::<T>(Request::from_parts(parts, body), state).await?;
        let pairs = form_pairs(&bytes);
        match csrf_of(&pairs) {
            Some(t) if tokens::constant_time_eq(t, &session.s.csrf_token) => Ok(CsrfForm { session, form, raw: bytes }),
            _ => Err(forbidden()),
        }
    }
}

/// A form posted before sign-in; its hidden token must equal the `rapport_form` cookie.
pub struct PreAuthForm<T> {
    pub form: T,
    pub headers: HeaderMap,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PreAuthForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let (bytes, form) = read_form::<T>(req, state).await?;
        let pairs = form_pairs(&bytes);
        match (csrf_of(&pairs), cookie(&headers, PRE_CSRF_COOKIE)) {
            (Some(t), Some(c)) if !c.is_empty() && tokens::constant_time_eq(t, &c) => Ok(PreAuthForm { form, headers }),
            _ => Err(forbidden()),
        }
    }
}

/// A fresh double-submit token and its cookie, for pages with a pre-sign-in form.
pub fn pre_auth_token(state: &AppState) -> Result<(String, (axum::http::HeaderName, HeaderValue)), PageError> {
    let t = tokens::random_token().map_err(|e| PageError(AppError::Internal(e.to_string())))?;
    let c = set_cookie(state, PRE_CSRF_COOKIE, &t, 3600);
    Ok((t, (SET_COOKIE, c)))
}
