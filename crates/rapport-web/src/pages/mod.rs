//! Server-rendered pages. Each feature module owns its routes and templates; this module
//! holds the shared app-shell [`Layout`], flash messages and security headers.

pub mod brand;
pub mod calendar;
pub mod campaigns;
pub mod creators;
pub mod creators_form;
pub mod duplicates;
pub mod email;
pub mod home;
pub mod imports;
pub mod inbox;
pub mod invitations;
pub mod login;
pub mod mail_settings;
pub mod notifications;
pub mod pipeline;
pub mod playbook;
pub mod portal;
pub mod review;
pub mod sequences;
pub mod settings;
pub mod shortlists;
pub mod unsubscribe;
pub mod upload;

use crate::auth::{Session, set_cookie};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_app::workspaces;

pub const FLASH_COOKIE: &str = "rapport_flash";

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(login::router())
        .merge(creators::router())
        .merge(creators_form::router())
        .merge(imports::router())
        .merge(settings::router())
        .merge(brand::router())
        .merge(shortlists::router())
        .merge(pipeline::router())
        .merge(campaigns::router())
        .merge(calendar::router())
        .merge(playbook::router())
        .merge(duplicates::router())
        .merge(invitations::router())
        .merge(unsubscribe::router())
        .merge(portal::router())
        .merge(review::router())
        .merge(email::router())
        .merge(mail_settings::router())
        .merge(inbox::router())
        .merge(sequences::router())
        .merge(notifications::router())
        .layer(middleware::from_fn(page_headers))
}

/// Security headers for every page, and clearing a flash message once shown.
async fn page_headers(req: Request, next: Next) -> Response {
    let had_flash = crate::auth::cookie(req.headers(), FLASH_COOKIE).is_some();
    let mut resp = next.run(req).await;
    let ok = resp.status() == StatusCode::OK;
    let h = resp.headers_mut();
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if had_flash && ok && !h.contains_key(SET_COOKIE) {
        h.append(SET_COOKIE, HeaderValue::from_static("rapport_flash=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"));
    }
    resp
}

/// A one-time message shown on the next page ("Creator created").
pub struct Flash(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let msg = crate::auth::cookie(&parts.headers, FLASH_COOKIE).and_then(|v| {
            url::form_urlencoded::parse(format!("m={v}").as_bytes())
                .next()
                .map(|(_, m)| m.chars().take(200).collect::<String>())
        });
        Ok(Flash(msg.filter(|m| !m.is_empty())))
    }
}

/// How a flash message says it reports a problem (an action refused), not a success.
const PROBLEM_MARK: &str = "!!";

/// Redirects (303) and leaves, for the next page, a message saying why an action was refused
/// (shown as a warning, not as a success).
pub fn redirect_with_problem(state: &AppState, to: &str, message: &str) -> Response {
    redirect_with_flash(state, to, &format!("{PROBLEM_MARK}{message}"))
}

/// Redirects (303) and leaves a flash message for the next page.
pub fn redirect_with_flash(state: &AppState, to: &str, message: &str) -> Response {
    let encoded: String = url::form_urlencoded::byte_serialize(message.as_bytes()).collect();
    let mut resp = Redirect::to(to).into_response();
    resp.headers_mut().append(SET_COOKIE, set_cookie(state, FLASH_COOKIE, &encoded, 60));
    resp
}

/// A workspace in the switcher.
pub struct WorkspaceLink {
    pub id: String,
    pub name: String,
    pub current: bool,
}

/// What the app shell needs on every signed-in page.
pub struct Layout {
    pub title: String,
    pub nav: &'static str,
    pub user_name: String,
    pub user_email: String,
    pub workspace_name: String,
    pub workspaces: Vec<WorkspaceLink>,
    pub csrf: String,
    pub flash: Option<String>,
    /// The flash message reports a refused action.
    pub flash_problem: bool,
    pub can_write: bool,
    pub can_admin: bool,
    pub role: String,
    /// The member's unread notifications in this workspace (the navigation badge).
    pub unread_notifications: i64,
    pub css: String,
    pub js: String,
}

impl Layout {
    pub async fn new(
        state: &AppState,
        session: &Session,
        title: impl Into<String>,
        nav: &'static str,
        flash: Flash,
    ) -> Result<Layout, PageError> {
        let ctx = session.ctx();
        let mine = workspaces::list_mine(&state.app, rapport_core::ids::UserId(session.s.user.id)).await?;
        let unread = rapport_app::notifications::unread_count(&state.app, ctx.workspace_id, session.s.user.id).await?;
        Ok(Layout {
            title: title.into(),
            nav,
            user_name: session.s.user.name.clone(),
            user_email: session.s.user.email.clone(),
            workspace_name: session.s.workspace_name.clone(),
            workspaces: mine
                .into_iter()
                .map(|w| WorkspaceLink { current: w.id == ctx.workspace_id, id: w.id.to_string(), name: w.name })
                .collect(),
            csrf: session.s.csrf_token.clone(),
            flash_problem: flash.0.as_deref().is_some_and(|m| m.starts_with(PROBLEM_MARK)),
            flash: flash.0.map(|m| m.strip_prefix(PROBLEM_MARK).map(str::to_owned).unwrap_or(m)),
            can_write: ctx.role.can_write(),
            can_admin: ctx.role.can_admin(),
            role: ctx.role.label().to_string(),
            unread_notifications: unread,
            css: crate::assets::css_url(),
            js: crate::assets::js_url(),
        })
    }

    pub fn initials(&self) -> String {
        crate::format::initials(&self.user_name)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    css: String,
}

/// A standalone error page (works without a session).
pub fn error_page(status: u16, title: &str, message: &str) -> String {
    ErrorPage { status, title, message, css: crate::assets::css_url() }
        .render()
        .unwrap_or_else(|_| format!("{status} {title}"))
}
