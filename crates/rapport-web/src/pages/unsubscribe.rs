//! The public unsubscribe link of outreach emails. Opening it only asks (mail scanners open
//! links); a POST — the button, or a mail client's RFC 8058 one-click request — suppresses
//! the address. The token in the link is the only credential.

use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use rapport_app::AppError;
use rapport_app::suppressions::{self, UnsubscribeTarget};

pub fn router() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", get(confirm_page).post(unsubscribe))
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    email: String,
    token: String,
    done: bool,
    already: bool,
    css: String,
}

fn unknown(e: AppError) -> AppError {
    match e {
        AppError::NotFound => AppError::Forbidden("This unsubscribe link is not valid.".into()),
        other => other,
    }
}

fn page(t: UnsubscribeTarget, token: String, done: bool) -> Result<Html<String>, PageError> {
    let p = UnsubscribePage { email: t.email, token, done, already: t.already, css: crate::assets::css_url() };
    Ok(Html(p.render()?))
}

async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Html<String>, PageError> {
    let t = suppressions::unsubscribe_target(&state.app, &token).await.map_err(unknown)?;
    let done = t.already;
    page(t, token, done)
}

async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Result<Html<String>, PageError> {
    let t = suppressions::unsubscribe(&state.app, &token).await.map_err(unknown)?;
    page(t, token, true)
}
