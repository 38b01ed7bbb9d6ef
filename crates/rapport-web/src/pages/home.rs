//! The home dashboard at `/` (my overdue and due-soon tasks, overdue touches of the creators
//! I own with the team's count, the latest activity) and the workspace activity feed at
//! `/activity`.

use super::creators::describe;
use super::{Flash, Layout};
use crate::auth::Session;
use crate::error::PageError;
use crate::format::{exact, relative};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rapport_app::dashboard::{self, DUE_SOON_DAYS};
use rapport_app::tasks::TaskView;
use rapport_app::timeline::{self, ActivityItem, ActivityQuery};
use rapport_core::actor::now;
use time::OffsetDateTime;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(show_home)).route("/activity", get(show_activity))
}

/// One line of an activity list.
pub struct FeedLine {
    pub icon: &'static str,
    pub actor: String,
    pub text: String,
    pub creator: Option<(String, String)>,
    pub when: String,
    pub when_exact: String,
}

fn feed_lines(items: Vec<ActivityItem>, t: OffsetDateTime) -> Vec<FeedLine> {
    items
        .into_iter()
        .map(|i| {
            let (icon, text) = describe(&i.event.action);
            FeedLine {
                icon,
                actor: i.event.actor_label,
                text: text.to_owned(),
                creator: i.creator_id.map(|id| {
                    (id.to_string(), i.creator_name.unwrap_or_else(|| "a creator who no longer exists".into()))
                }),
                when: relative(i.event.occurred_at, t),
                when_exact: exact(i.event.occurred_at),
            }
        })
        .collect()
}

/// An overdue touch as the dashboard lists it.
pub struct TouchLine {
    pub creator_id: String,
    pub creator_name: String,
    pub due: String,
    pub days_overdue: i64,
    pub every: i64,
    pub last_contact: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "home/dashboard.html")]
struct HomePage {
    layout: Layout,
    tasks: Vec<TaskView>,
    due_soon_days: i64,
    touches: Vec<TouchLine>,
    team_touches: i64,
    activity: Vec<FeedLine>,
}

async fn show_home(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    let d = dashboard::home(&state.app, session.ctx()).await?;
    let t = now();
    let touches = d
        .my_overdue_touches
        .into_iter()
        .map(|o| TouchLine {
            creator_id: o.creator_id.to_string(),
            creator_name: o.creator_name,
            due: o.due.to_string(),
            days_overdue: o.days_overdue,
            every: o.touch_every_days,
            last_contact: o.last_contact_at.map(|at| (relative(at, t), exact(at))),
        })
        .collect();
    let layout = Layout::new(&state, &session, "Home", "home", flash).await?;
    let page = HomePage {
        layout,
        tasks: d.my_tasks,
        due_soon_days: DUE_SOON_DAYS,
        touches,
        team_touches: d.team_overdue_touches,
        activity: feed_lines(d.activity, t),
    };
    Ok(Html(page.render()?).into_response())
}

/// A choice of the activity page's action filter.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

const ACTIONS: &[(&str, &str)] = &[
    ("", "Everything"),
    ("creator.", "Creator changes"),
    ("interaction.", "Interactions"),
    ("task.", "Tasks"),
    ("note.", "Notes"),
    ("account.", "Accounts"),
];

#[derive(Template)]
#[template(path = "home/activity.html")]
struct ActivityPage {
    layout: Layout,
    lines: Vec<FeedLine>,
    actions: Vec<Choice>,
    mine: bool,
    /// The next page's address, keeping the filters.
    next: Option<String>,
    error: Option<String>,
}

async fn show_activity(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<ActivityQuery>,
) -> Result<Response, PageError> {
    let t = now();
    let action = q.action.clone().unwrap_or_default();
    let mine = q.actor.as_deref() == Some("me");
    let (lines, next, error) = match timeline::activity(&state.app, session.ctx(), &q).await {
        Ok(page) => {
            let next = page.next_cursor.map(|c| {
                let mut url = url::form_urlencoded::Serializer::new(String::new());
                url.append_pair("cursor", &c);
                if mine {
                    url.append_pair("actor", "me");
                }
                if !action.is_empty() {
                    url.append_pair("action", &action);
                }
                format!("/activity?{}", url.finish())
            });
            (feed_lines(page.items, t), next, None)
        }
        Err(rapport_app::AppError::Invalid(inv)) => (
            vec![],
            None,
            Some(inv.errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect::<Vec<_>>().join("; ")),
        ),
        Err(e) => return Err(e.into()),
    };
    let actions = ACTIONS.iter().map(|(v, l)| Choice { value: v, label: l, selected: *v == action }).collect();
    let layout = Layout::new(&state, &session, "Activity", "activity", flash).await?;
    let page = ActivityPage { layout, lines, actions, mine, next, error };
    let status =
        if page.error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    Ok((status, Html(page.render()?)).into_response())
}
