//! The content calendar: the draft due dates and publish windows of a workspace's
//! deliverables as entries (for the page and the API), and iCalendar feeds of the whole
//! workspace, one campaign or one creator behind secret URLs — created and revoked by the
//! team, stored as a hash, rendered by [`feed_ics`] for whoever holds the URL.

use crate::App;
use crate::campaigns::{money_text, require_campaign};
use crate::context::Ctx;
use crate::creators::require_creator;
use crate::deliverables::{status_of, summary};
use crate::error::{AppError, AppResult};
use crate::tokens;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::calendar::{Calendar, EntryKind, Event, FeedScope, entries_of};
use rapport_core::deliverables::Status;
use rapport_core::ids::{CalendarFeedId, CampaignId, CollaborationId, CreatorId, DeliverableId};
use rapport_core::validation::{optional_date, optional_text};
use rapport_store::Conn;
use rapport_store::calendar_feeds::{self as store, CalendarFeedRow};
use rapport_store::deliverables::{DeliverableRow, dated};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// Days before today the calendar starts by default.
pub const DEFAULT_DAYS_BACK: i64 = 30;
/// Days after today the calendar ends by default.
pub const DEFAULT_DAYS_AHEAD: i64 = 90;
/// The longest period one request may ask for.
pub const MAX_DAYS: i64 = 731;

/// Which entries, as they arrive in a query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Only this campaign's deliverables (`cp_…`).
    pub campaign_id: Option<String>,
    /// Only this creator's deliverables (`cr_…`).
    pub creator_id: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC). Default: 30 days before today.
    pub from: Option<String>,
    /// Last day, included. Default: 90 days after today.
    pub to: Option<String>,
}

/// A draft due date or a publish window of one deliverable.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarEntry {
    /// `draft_due` or `publish_window`.
    pub kind: String,
    pub kind_label: String,
    /// "Draft due: Reel on Instagram — Ana Lima (Summer)".
    pub title: String,
    /// First day (`YYYY-MM-DD`).
    pub starts_on: String,
    /// Last day, included (the same day for a draft due date).
    pub ends_on: String,
    #[schema(value_type = String, example = "dl_0193…")]
    pub deliverable_id: DeliverableId,
    /// "Reel on Instagram".
    pub deliverable: String,
    #[schema(value_type = String, example = "col_0193…")]
    pub collaboration_id: CollaborationId,
    #[schema(value_type = String, example = "cp_0193…")]
    pub campaign_id: CampaignId,
    pub campaign_name: String,
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    pub creator_name: String,
    /// The deliverable's status.
    pub status: String,
    pub status_label: String,
    /// The draft is still awaited after its due day, or the content is not published after
    /// the window closed.
    pub overdue: bool,
    /// The deal page of the collaboration (`/collaborations/col_…`).
    pub deal_path: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarView {
    pub from: String,
    pub to: String,
    /// By first day, then deliverable.
    pub entries: Vec<CalendarEntry>,
}

fn team_only(ctx: &Ctx) -> AppResult<()> {
    if ctx.actor.is_outside() { Err(AppError::Forbidden("only the team can see the calendar".into())) } else { Ok(()) }
}

fn parse_id<T: FromStr<Err = rapport_core::ids::BadId>>(e: &mut Invalid, field: &str, v: Option<&str>) -> Option<T> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    T::from_str(v).map_err(|b| e.add(field, b.to_string())).ok()
}

fn overdue(kind: EntryKind, status: Status, last_day: Date, today: Date) -> bool {
    let waiting = match kind {
        EntryKind::DraftDue => status.awaits_draft(),
        EntryKind::PublishWindow => status.is_open() && status != Status::Published,
    };
    waiting && last_day < today
}

/// A deliverable's entries with the days they cover.
fn row_entries(r: &DeliverableRow, today: Date) -> AppResult<Vec<(EntryKind, Date, Date, CalendarEntry)>> {
    let status = status_of(r)?;
    let what = summary(r);
    Ok(entries_of(r.draft_due_on, r.publish_from, r.publish_until)
        .into_iter()
        .map(|(kind, first, last)| {
            let entry = CalendarEntry {
                kind: kind.slug().into(),
                kind_label: kind.label().into(),
                title: format!("{}: {what} — {} ({})", kind.label(), r.creator_name, r.campaign_name),
                starts_on: first.to_string(),
                ends_on: last.to_string(),
                deliverable_id: DeliverableId(r.id),
                deliverable: what.clone(),
                collaboration_id: CollaborationId(r.collaboration_id),
                campaign_id: CampaignId(r.campaign_id),
                campaign_name: r.campaign_name.clone(),
                creator_id: CreatorId(r.creator_id),
                creator_name: r.creator_name.clone(),
                status: status.slug().into(),
                status_label: status.label().into(),
                overdue: overdue(kind, status, last, today),
                deal_path: format!("/collaborations/{}", CollaborationId(r.collaboration_id)),
            };
            (kind, first, last, entry)
        })
        .collect())
}

/// The entries overlapping `[from, to]` of the workspace, one campaign and/or one creator
/// (another workspace's campaign or creator is a 404).
pub async fn entries(app: &App, ctx: &Ctx, q: &CalendarQuery) -> AppResult<CalendarView> {
    team_only(ctx)?;
    let today = now().date();
    let mut e = Invalid::new();
    let campaign: Option<CampaignId> = parse_id(&mut e, "campaign_id", q.campaign_id.as_deref());
    let creator: Option<CreatorId> = parse_id(&mut e, "creator_id", q.creator_id.as_deref());
    let from = optional_date(&mut e, "from", q.from.as_deref()).unwrap_or(today - Duration::days(DEFAULT_DAYS_BACK));
    let to = optional_date(&mut e, "to", q.to.as_deref()).unwrap_or(today + Duration::days(DEFAULT_DAYS_AHEAD));
    if e.is_empty() && from > to {
        e.add("from", "must not be after to");
    } else if e.is_empty() && (to - from).whole_days() >= MAX_DAYS {
        e.add("to", format!("must be less than {MAX_DAYS} days after from"));
    }
    e.into_result(())?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    if let Some(id) = campaign {
        require_campaign(&mut c, ctx, id, false).await?;
    }
    if let Some(id) = creator {
        require_creator(&mut c, ctx, id, false).await?;
    }
    let rows = dated(&mut c, ctx.ws(), campaign.map(|i| i.0), creator.map(|i| i.0)).await?;
    let mut out = Vec::new();
    for row in &rows {
        out.extend(row_entries(row, today)?.into_iter().filter(|(_, a, b, _)| *b >= from && *a <= to));
    }
    out.sort_by(|x, y| (x.1, x.3.deliverable_id, &x.3.kind).cmp(&(y.1, y.3.deliverable_id, &y.3.kind)));
    Ok(CalendarView { from: from.to_string(), to: to.to_string(), entries: out.into_iter().map(|x| x.3).collect() })
}

/// The campaigns and creators that have dated deliverables, by name (the page's filters).
pub async fn filter_options(app: &App, ctx: &Ctx) -> AppResult<(Vec<(CampaignId, String)>, Vec<(CreatorId, String)>)> {
    team_only(ctx)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let rows = dated(&mut c, ctx.ws(), None, None).await?;
    let mut campaigns: Vec<(CampaignId, String)> =
        rows.iter().map(|r| (CampaignId(r.campaign_id), r.campaign_name.clone())).collect();
    let mut creators: Vec<(CreatorId, String)> =
        rows.iter().map(|r| (CreatorId(r.creator_id), r.creator_name.clone())).collect();
    campaigns.sort_by_key(|a| (a.1.to_lowercase(), a.0));
    campaigns.dedup_by_key(|x| x.0);
    creators.sort_by_key(|a| (a.1.to_lowercase(), a.0));
    creators.dedup_by_key(|x| x.0);
    Ok((campaigns, creators))
}

/// A feed as asked for. Without `scope`, a `campaign_id` makes a campaign feed, a
/// `creator_id` a creator feed, neither the workspace's.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedInput {
    /// `workspace`, `campaign` or `creator`.
    pub scope: Option<String>,
    pub campaign_id: Option<String>,
    pub creator_id: Option<String>,
    /// What it is for ("Team calendar"); the campaign's or creator's name by default.
    pub label: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedView {
    #[schema(value_type = String, example = "cal_0193…")]
    pub id: CalendarFeedId,
    /// `workspace`, `campaign` or `creator`.
    pub scope: String,
    #[schema(value_type = Option<String>, example = "cp_0193…")]
    pub campaign_id: Option<CampaignId>,
    pub campaign_name: Option<String>,
    #[schema(value_type = Option<String>, example = "cr_0193…")]
    pub creator_id: Option<CreatorId>,
    pub creator_name: Option<String>,
    pub label: String,
    pub revoked: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A new feed: its secret is shown once, in `path`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewFeed {
    #[serde(flatten)]
    pub feed: FeedView,
    /// `/ics/<secret>.ics`: prefix it with the server's address to subscribe.
    pub path: String,
}

fn feed_view(r: CalendarFeedRow) -> FeedView {
    FeedView {
        id: CalendarFeedId(r.id),
        scope: r.scope,
        campaign_id: r.campaign_id.map(CampaignId),
        campaign_name: r.campaign_name,
        creator_id: r.creator_id.map(CreatorId),
        creator_name: r.creator_name,
        label: r.label,
        revoked: r.revoked_at.is_some(),
        created_at: r.created_at,
    }
}

/// What a feed covers, as checked.
struct Target {
    scope: FeedScope,
    campaign: Option<CampaignId>,
    creator: Option<CreatorId>,
    label: Option<String>,
}

/// The scope and its target from the input, or the bad fields.
fn target_of(input: &FeedInput) -> Result<Target, Invalid> {
    let mut e = Invalid::new();
    let campaign: Option<CampaignId> = parse_id(&mut e, "campaign_id", input.campaign_id.as_deref());
    let creator: Option<CreatorId> = parse_id(&mut e, "creator_id", input.creator_id.as_deref());
    let label = optional_text(&mut e, "label", input.label.as_deref(), 200);
    let given = input.campaign_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let given_creator = input.creator_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let scope = match input.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => FeedScope::parse(s).unwrap_or_else(|| {
            e.add("scope", "must be one of workspace, campaign, creator");
            FeedScope::Workspace
        }),
        None if given.is_some() => FeedScope::Campaign,
        None if given_creator.is_some() => FeedScope::Creator,
        None => FeedScope::Workspace,
    };
    match scope {
        FeedScope::Campaign if given.is_none() => e.add("campaign_id", "is required for a campaign feed"),
        FeedScope::Creator if given_creator.is_none() => e.add("creator_id", "is required for a creator feed"),
        _ => {}
    }
    if scope != FeedScope::Campaign && given.is_some() {
        e.add("campaign_id", format!("must be empty for a {} feed", scope.slug()));
    }
    if scope != FeedScope::Creator && given_creator.is_some() {
        e.add("creator_id", format!("must be empty for a {} feed", scope.slug()));
    }
    e.into_result(Target { scope, campaign, creator, label })
}

/// Creates a feed of the workspace, one of its campaigns or one of its creators (the team's).
pub async fn create_feed(app: &App, ctx: &Ctx, input: FeedInput) -> AppResult<NewFeed> {
    ctx.require_write()?;
    let Target { scope, campaign, creator, label } = target_of(&input)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut default_label = "All deliverables".to_string();
    if let Some(id) = campaign {
        default_label = require_campaign(&mut c, ctx, id, false).await?.name;
    }
    if let Some(id) = creator {
        default_label = require_creator(&mut c, ctx, id, false).await?.display_name;
    }
    let token = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut row = CalendarFeedRow {
        id: Uuid::now_v7(),
        workspace_id: ctx.ws(),
        scope: scope.slug().into(),
        campaign_id: campaign.map(|i| i.0),
        campaign_name: None,
        creator_id: creator.map(|i| i.0),
        creator_name: None,
        label: label.unwrap_or_else(|| default_label.clone()),
        created_by: ctx.actor.to_string(),
        created_at: now(),
        revoked_at: None,
    };
    store::insert(&mut c, &row, tokens::hash(&token)).await?;
    tx.commit().await?;
    match scope {
        FeedScope::Campaign => row.campaign_name = Some(default_label),
        FeedScope::Creator => row.creator_name = Some(default_label),
        FeedScope::Workspace => {}
    }
    Ok(NewFeed { feed: feed_view(row), path: format!("/ics/{token}.ics") })
}

/// The workspace's feeds, newest first (their secrets are never shown again).
pub async fn feeds(app: &App, ctx: &Ctx) -> AppResult<Vec<FeedView>> {
    team_only(ctx)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    Ok(store::list(&mut c, ctx.ws()).await?.into_iter().map(feed_view).collect())
}

/// Revokes a feed at once: its URL answers 404 from then on.
pub async fn revoke_feed(app: &App, ctx: &Ctx, id: CalendarFeedId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if store::revoke(&mut c, ctx.ws(), id.0, now()).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

fn description(r: &DeliverableRow, entry: &CalendarEntry, origin: Option<&str>) -> String {
    let mut lines = vec![
        format!("{} for {} ({})", entry.deliverable, r.creator_name, r.campaign_name),
        format!("Status: {}", entry.status_label),
    ];
    if let Some(fee) = r.fee_minor {
        lines.push(format!("Fee: {}", money_text(fee, &r.currency)));
    }
    if entry.overdue {
        lines.push("Overdue".into());
    }
    if let Some(o) = origin {
        lines.push(format!("Deal: {o}{}", entry.deal_path));
    }
    lines.join("\n")
}

async fn calendar_of(c: &mut Conn<'_>, feed: &CalendarFeedRow, origin: Option<&str>) -> AppResult<Calendar> {
    let workspace = rapport_store::workspaces::get(c, feed.workspace_id).await?;
    let rows = dated(c, feed.workspace_id, feed.campaign_id, feed.creator_id).await?;
    let today = now().date();
    let mut events = Vec::new();
    for r in &rows {
        for (kind, first, last, entry) in row_entries(r, today)? {
            events.push(Event {
                uid: kind.uid(&entry.deliverable_id.to_string()),
                stamp: r.updated_at,
                first_day: first,
                last_day: last,
                summary: entry.title.clone(),
                description: Some(description(r, &entry, origin)),
                url: origin.map(|o| format!("{o}{}", entry.deal_path)),
                cancelled: entry.status == Status::Cancelled.slug(),
            });
        }
    }
    Ok(Calendar { name: format!("{}: {}", workspace.name, feed.label), events })
}

/// The calendar a feed's secret opens, as (calendar name, iCalendar text): only that
/// feed's workspace and scope. Unknown and revoked secrets are 404. `origin` (the server's
/// public address) makes links to the deal pages absolute.
pub async fn feed_ics(app: &App, token: &str, origin: Option<&str>) -> AppResult<(String, String)> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let feed = store::by_hash(&mut c, tokens::hash(token)).await?.ok_or(AppError::NotFound)?;
    if feed.revoked_at.is_some() {
        return Err(AppError::NotFound);
    }
    let cal = calendar_of(&mut c, &feed, origin).await?;
    Ok((cal.name.clone(), cal.to_ics()))
}
