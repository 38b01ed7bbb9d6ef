//! The home dashboard of a signed-in member: their open tasks that are overdue or due soon,
//! the creators they own whose next touch is overdue (and how many the whole team has), and
//! the latest activity of the workspace. Every list is bounded.

use crate::App;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::tasks::TaskView;
use crate::timeline::{ActivityItem, ActivityQuery};
use rapport_core::actor::now;
use rapport_core::ids::CreatorId;
use rapport_store::{interactions, tasks};
use time::{Date, Duration, OffsetDateTime};

/// How far ahead "due soon" looks, in days.
pub const DUE_SOON_DAYS: i64 = 7;
/// The most rows each part of the dashboard shows.
pub const LIST_LIMIT: i64 = 20;

/// A creator whose next touch is overdue.
#[derive(Debug, Clone)]
pub struct OverdueTouch {
    pub creator_id: CreatorId,
    pub creator_name: String,
    pub touch_every_days: i64,
    pub last_contact_at: Option<OffsetDateTime>,
    pub due: Date,
    /// Whole days past the due day.
    pub days_overdue: i64,
}

/// Everything the home page shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Open tasks assigned to me, overdue or due within [`DUE_SOON_DAYS`], soonest first.
    pub my_tasks: Vec<TaskView>,
    /// Creators I own whose next touch is overdue, most overdue first.
    pub my_overdue_touches: Vec<OverdueTouch>,
    /// Creators of the whole workspace whose next touch is overdue.
    pub team_overdue_touches: i64,
    /// The latest events of the workspace.
    pub activity: Vec<ActivityItem>,
}

/// The dashboard for the caller; "my" parts are empty for an API key.
pub async fn home(app: &App, ctx: &Ctx) -> AppResult<Dashboard> {
    let today = now().date();
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let (my_tasks, my_overdue_touches) = match ctx.actor.user_id() {
        None => (vec![], vec![]),
        Some(me) => {
            let until = today.checked_add(Duration::days(DUE_SOON_DAYS)).unwrap_or(today);
            let rows = tasks::due_by(&mut c, ctx.ws(), me.0, until, LIST_LIMIT).await?;
            let my_tasks = crate::tasks::views(&mut c, ctx, rows).await?;
            let touches = interactions::overdue_touches(&mut c, ctx.ws(), me.0, today, LIST_LIMIT).await?;
            let touches = touches
                .into_iter()
                .map(|t| {
                    let due = rapport_core::responsiveness::next_touch_due(
                        t.touch_every_days, t.last_contact_at, t.created_at,
                    );
                    OverdueTouch {
                        creator_id: CreatorId(t.creator_id),
                        creator_name: t.display_name,
                        touch_every_days: t.touch_every_days,
                        last_contact_at: t.last_contact_at,
                        due,
                        days_overdue: (today - due).whole_days(),
                    }
                })
                .collect();
            (my_tasks, touches)
        }
    };
    let team_overdue_touches = interactions::count_overdue_touches(&mut c, ctx.ws(), today).await?;
    drop(r);
    let feed = ActivityQuery { limit: Some("15".into()), ..Default::default() };
    let activity = crate::timeline::activity(app, ctx, &feed).await?.items;
    Ok(Dashboard { my_tasks, my_overdue_touches, team_overdue_touches, activity })
}
