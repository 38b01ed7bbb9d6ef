//! The notifications page: the signed-in member's notifications in this workspace, unread
//! first, each linking to its item, with mark-read and mark-all-read forms.

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::notifications::{self, NotificationQuery, NotificationView};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(notifications_page))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
}

pub struct Item {
    pub id: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub read: bool,
    pub when: String,
    pub email: String,
}

impl From<NotificationView> for Item {
    fn from(n: NotificationView) -> Self {
        let email = match (n.email_status.as_str(), &n.email_note) {
            ("queued", _) => "also sent by email".to_string(),
            (_, Some(why)) => format!("not emailed: {why}"),
            _ => "not emailed".to_string(),
        };
        Item {
            id: n.id.to_string(),
            subject: n.subject,
            body: n.body,
            link: n.link,
            read: n.read,
            when: format::exact(n.created_at),
            email,
        }
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<Item>,
    unread: usize,
}

async fn notifications_page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
) -> Result<Response, PageError> {
    let q = NotificationQuery { unread: None, limit: Some(200) };
    let items: Vec<Item> =
        notifications::list(&state.app, session.ctx(), &q).await?.into_iter().map(Item::from).collect();
    let unread = items.iter().filter(|i| !i.read).count();
    let layout = Layout::new(&state, &session, "Notifications", "notifications", flash).await?;
    Ok(Html(NotificationsPage { layout, items, unread }.render()?).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn read_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError(AppError::NotFound))?;
    notifications::mark_read(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, "/notifications", "Marked read."))
}

async fn read_all(State(state): State<AppState>, f: CsrfForm<Empty>) -> Result<Response, PageError> {
    let n = notifications::mark_all_read(&state.app, f.session.ctx()).await?;
    Ok(redirect_with_flash(&state, "/notifications", &format!("Marked {} notification(s) read.", n.marked)))
}
