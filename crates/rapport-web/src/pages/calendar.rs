//! The content calendar page: draft due dates and publish windows grouped by week,
//! filtered by campaign, creator and period, each linking to its deal page; and the
//! "Subscribe" section that creates an iCalendar feed (its URL shown once) or revokes one.

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::calendar::{self, CalendarEntry, CalendarQuery, FeedInput};
use rapport_core::Invalid;
use rapport_core::ids::CalendarFeedId;
use serde::Deserialize;
use time::{Date, Duration};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar_page))
        .route("/calendar/feeds", post(create_feed))
        .route("/calendar/feeds/{id}/revoke", post(revoke_feed))
}

/// The entries starting in one week (Monday first).
pub struct Week {
    pub heading: String,
    pub current: bool,
    pub entries: Vec<Item>,
}

pub struct Item {
    pub e: CalendarEntry,
    pub when: String,
}

pub struct FeedRow {
    pub id: String,
    pub label: String,
    pub covers: String,
    pub created: String,
    pub revoked: bool,
}

/// The subscribe form as typed: `target` is `workspace`, `cp_…` or `cr_…`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FeedForm {
    target: String,
    label: String,
}

#[derive(Template)]
#[template(path = "calendar/index.html")]
struct CalendarPage {
    layout: Layout,
    q: CalendarQuery,
    from: String,
    to: String,
    weeks: Vec<Week>,
    count: usize,
    campaigns: Vec<(String, String)>,
    creators: Vec<(String, String)>,
    filter_errors: Invalid,
    feeds: Vec<FeedRow>,
    form: FeedForm,
    feed_errors: Invalid,
    /// The new feed's label and full URL, shown once.
    new_feed: Option<(String, String)>,
}

fn day(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn short(d: Date) -> String {
    format!("{} {} {}", &d.weekday().to_string()[..3], d.day(), &d.month().to_string()[..3])
}

fn when(e: &CalendarEntry) -> String {
    match (day(&e.starts_on), day(&e.ends_on)) {
        (Some(a), Some(b)) if a != b => format!("{} – {}", short(a), short(b)),
        (Some(a), _) => short(a),
        _ => e.starts_on.clone(),
    }
}

/// Groups entries (sorted by first day) by the week they start in, an entry starting
/// before the period under the period's first week.
fn weeks(entries: Vec<CalendarEntry>, from: Date, today: Date) -> Vec<Week> {
    let monday = |d: Date| d - Duration::days(i64::from(d.weekday().number_days_from_monday()));
    let mut out: Vec<(Date, Week)> = Vec::new();
    for e in entries {
        let start = day(&e.starts_on).unwrap_or(from).max(from);
        let week = monday(start);
        if out.last().is_none_or(|(w, _)| *w != week) {
            let heading = format!("Week of {} {} {}", week.day(), week.month(), week.year());
            out.push((week, Week { heading, current: week == monday(today), entries: Vec::new() }));
        }
        if let Some((_, w)) = out.last_mut() {
            w.entries.push(Item { when: when(&e), e });
        }
    }
    out.into_iter().map(|(_, w)| w).collect()
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    q: CalendarQuery,
    form: FeedForm,
    feed_errors: Invalid,
    new_feed: Option<(String, String)>,
) -> Result<CalendarPage, PageError> {
    let ctx = session.ctx();
    let today = rapport_core::actor::now().date();
    let (view, filter_errors) = match calendar::entries(&state.app, ctx, &q).await {
        Ok(v) => (Some(v), Invalid::new()),
        Err(AppError::Invalid(e)) => (None, e),
        Err(e) => return Err(e.into()),
    };
    let (campaigns, creators) = calendar::filter_options(&state.app, ctx).await?;
    let feeds = calendar::feeds(&state.app, ctx)
        .await?
        .into_iter()
        .map(|f| FeedRow {
            id: f.id.to_string(),
            covers: match (f.campaign_name, f.creator_name) {
                (Some(c), _) => format!("Campaign {c}"),
                (_, Some(c)) => format!("Creator {c}"),
                _ => "Whole workspace".into(),
            },
            created: f.created_at.date().to_string(),
            revoked: f.revoked,
            label: f.label,
        })
        .collect();
    let (from, to, entries) = match view {
        Some(v) => (v.from, v.to, v.entries),
        None => (q.from.clone().unwrap_or_default(), q.to.clone().unwrap_or_default(), Vec::new()),
    };
    let count = entries.len();
    let weeks = weeks(entries, day(&from).unwrap_or(today), today);
    Ok(CalendarPage {
        layout: Layout::new(state, session, "Calendar", "calendar", flash).await?,
        q,
        from,
        to,
        weeks,
        count,
        campaigns: campaigns.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
        creators: creators.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
        filter_errors,
        feeds,
        form,
        feed_errors,
        new_feed,
    })
}

async fn calendar_page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    let page = render(&state, &session, flash, q, FeedForm::default(), Invalid::new(), None).await?;
    let status = if page.filter_errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Html(page.render()?)).into_response())
}

fn feed_input(form: &FeedForm) -> FeedInput {
    let target = form.target.trim();
    let (campaign_id, creator_id) = match target {
        t if t.starts_with("cp_") => (Some(t.to_string()), None),
        t if t.starts_with("cr_") => (None, Some(t.to_string())),
        _ => (None, None),
    };
    let scope = match target {
        "" | "workspace" => Some("workspace".to_string()),
        _ if campaign_id.is_some() || creator_id.is_some() => None,
        other => Some(other.to_string()),
    };
    FeedInput { scope, campaign_id, creator_id, label: Some(form.label.clone()) }
}

async fn create_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    f: CsrfForm<FeedForm>,
) -> Result<Response, PageError> {
    let q = CalendarQuery::default();
    match calendar::create_feed(&state.app, f.session.ctx(), feed_input(&f.form)).await {
        Ok(new) => {
            let url = format!("{}{}", state.public_origin(&headers), new.path);
            let shown = Some((new.feed.label, url));
            let page = render(&state, &f.session, Flash(None), q, FeedForm::default(), Invalid::new(), shown).await?;
            Ok(Html(page.render()?).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let page = render(&state, &f.session, Flash(None), q, f.form, e, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke_feed(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: CalendarFeedId = id.parse().map_err(|_| AppError::NotFound)?;
    calendar::revoke_feed(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, "/calendar#subscribe", "Feed revoked; calendar apps using it get nothing more."))
}
