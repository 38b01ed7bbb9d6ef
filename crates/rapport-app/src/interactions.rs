//! Interactions with a creator — emails in and out, logged DMs, calls and meetings: logging
//! one by hand, recording one from another feature inside its own transaction
//! ([`record_in_tx`], used by email sending and receiving), listing and deleting, and the
//! creator's responsiveness and next touch computed from them (the formulas live in
//! [`rapport_core::responsiveness`]). Logging and deleting appear on the timeline.

use crate::App;
use crate::context::Ctx;
use crate::creators::require_creator;
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::diff::Change;
use rapport_core::ids::{CreatorId, InteractionId};
use rapport_core::interactions::{self as domain, Channel, Direction};
use rapport_core::platform::Platform;
use rapport_core::responsiveness::{self as resp, Touch};
use rapport_core::validation::optional_text;
use rapport_store::Conn;
use rapport_store::interactions::{self as store, InteractionRow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// The longest subject, in characters.
pub const MAX_SUBJECT: usize = 500;
/// The longest body (an email's text or the notes of a call), in characters.
pub const MAX_BODY: usize = 100_000;
/// The longest participants line, in characters.
pub const MAX_PARTICIPANTS: usize = 1000;

/// An interaction as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InteractionView {
    #[schema(value_type = String, example = "ix_0193…")]
    pub id: InteractionId,
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    /// `email`, `dm`, `call`, `meeting` or `other`.
    pub channel: String,
    /// `inbound` (from the creator) or `outbound` (from us).
    pub direction: String,
    /// For DMs: `instagram`, `tiktok`, …
    pub platform: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
    pub participants: Option<String>,
    /// Email threading, filled for emails sent or received through Rapport.
    pub thread_id: Option<String>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references_ids: Option<String>,
    /// Who logged it: `user:…`, `api_key:…`, `system`.
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

fn view(r: InteractionRow) -> InteractionView {
    InteractionView {
        id: InteractionId(r.id),
        creator_id: CreatorId(r.creator_id),
        channel: r.channel,
        direction: r.direction,
        platform: r.platform,
        subject: r.subject,
        body: r.body,
        occurred_at: r.occurred_at,
        participants: r.participants,
        thread_id: r.thread_id,
        message_id: r.message_id,
        in_reply_to: r.in_reply_to,
        references_ids: r.references_ids,
        created_by: r.created_by,
        created_at: r.created_at,
    }
}

/// An interaction logged by hand (API or the creator page).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionInput {
    /// `email`, `dm`, `call`, `meeting` or `other`.
    pub channel: Option<String>,
    /// `inbound` (from the creator) or `outbound` (from us).
    pub direction: Option<String>,
    /// For DMs: the platform (`instagram`, `tiktok`, …).
    pub platform: Option<String>,
    pub subject: Option<String>,
    /// What was said; may be empty.
    pub body: Option<String>,
    /// When it happened, RFC 3339 (`2026-03-31T14:05:00Z`); now when absent; never in the future.
    #[schema(example = "2026-03-31T14:05:00Z")]
    pub occurred_at: Option<String>,
    /// Who took part, free text ("Ana, her manager Tom").
    pub participants: Option<String>,
}

/// An interaction another feature records (an email sent by the outbox, an email received):
/// already parsed, with the email threading headers when there are any.
#[derive(Debug, Clone)]
pub struct NewInteraction {
    pub creator_id: CreatorId,
    pub channel: Channel,
    pub direction: Direction,
    pub platform: Option<Platform>,
    pub subject: Option<String>,
    pub body: String,
    pub occurred_at: OffsetDateTime,
    pub participants: Option<String>,
    pub thread_id: Option<String>,
    /// Unique within the workspace: recording the same message id again returns the
    /// interaction already recorded (so a retried delivery is recorded once).
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// Space-separated message ids (an email's `References`).
    pub references_ids: Option<String>,
}

impl NewInteraction {
    /// A plain interaction with no platform, participants or threading.
    pub fn new(
        creator_id: CreatorId,
        channel: Channel,
        direction: Direction,
        body: impl Into<String>,
        occurred_at: OffsetDateTime,
    ) -> Self {
        NewInteraction {
            creator_id,
            channel,
            direction,
            platform: None,
            subject: None,
            body: body.into(),
            occurred_at,
            participants: None,
            thread_id: None,
            message_id: None,
            in_reply_to: None,
            references_ids: None,
        }
    }
}

/// What [`record_in_tx`] did.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// A new interaction (and its timeline event) was written.
    New(InteractionView),
    /// An interaction with the same `message_id` was already recorded; nothing was written.
    Existing(InteractionView),
}

impl Recorded {
    pub fn view(&self) -> &InteractionView {
        match self {
            Recorded::New(v) | Recorded::Existing(v) => v,
        }
    }
}

/// Bounds the free-text parts of an interaction, naming the bad fields.
fn check_sizes(e: &mut Invalid, n: &NewInteraction) {
    let over = |s: &str, max: usize| s.chars().count() > max;
    if n.subject.as_deref().is_some_and(|s| over(s, MAX_SUBJECT)) {
        e.add("subject", format!("must be at most {MAX_SUBJECT} characters"));
    }
    if over(&n.body, MAX_BODY) {
        e.add("body", format!("must be at most {MAX_BODY} characters"));
    }
    if n.participants.as_deref().is_some_and(|s| over(s, MAX_PARTICIPANTS)) {
        e.add("participants", format!("must be at most {MAX_PARTICIPANTS} characters"));
    }
}

fn summary(v: &InteractionView) -> Value {
    json!({
        "id": v.id.to_string(),
        "channel": v.channel,
        "direction": v.direction,
        "occurred_at": v.occurred_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "subject": v.subject,
    })
}

/// Records an interaction inside the caller's transaction, with its `interaction.logged`
/// timeline event: the creator must be a live creator of the caller's workspace (else
/// 404), the caller must be allowed to write, and an already recorded `message_id` returns
/// [`Recorded::Existing`] without writing anything. The caller commits.
pub async fn record_in_tx(c: &mut Conn<'_>, ctx: &Ctx, new: NewInteraction) -> AppResult<Recorded> {
    ctx.require_write()?;
    require_creator(c, ctx, new.creator_id, false).await?;
    let mut e = Invalid::new();
    check_sizes(&mut e, &new);
    e.into_result(())?;
    if let Some(mid) = new.message_id.as_deref()
        && let Some(existing) = store::by_message_id(c, ctx.ws(), mid).await?
    {
        return Ok(Recorded::Existing(view(existing)));
    }
    let row = InteractionRow {
        id: InteractionId::new().0,
        creator_id: new.creator_id.0,
        channel: new.channel.slug().into(),
        direction: new.direction.slug().into(),
        platform: new.platform.map(|p| p.slug().to_owned()),
        subject: new.subject,
        body: new.body,
        // Microseconds, as both databases keep them.
        occurred_at: new
            .occurred_at
            .replace_nanosecond(new.occurred_at.microsecond() * 1000)
            .unwrap_or(new.occurred_at),
        participants: new.participants,
        thread_id: new.thread_id,
        message_id: new.message_id,
        in_reply_to: new.in_reply_to,
        references_ids: new.references_ids,
        created_by: ctx.actor.to_string(),
        created_at: now(),
    };
    store::insert(c, ctx.ws(), &row).await?;
    let v = view(row);
    let change = vec![Change { field: "interaction".into(), before: Value::Null, after: summary(&v) }];
    timeline::record(c, ctx, v.creator_id.0, "interaction.logged", change).await?;
    Ok(Recorded::New(v))
}

/// A required choice, trimmed; blank is named.
fn required<'a>(e: &mut Invalid, field: &str, v: Option<&'a str>) -> Option<&'a str> {
    let v = v.map(str::trim).filter(|v| !v.is_empty());
    if v.is_none() {
        e.add(field, "is required");
    }
    v
}

/// Turns a hand-logged input into a new interaction, naming every bad field.
pub fn parse_input(
    creator: CreatorId,
    input: &InteractionInput,
    at: OffsetDateTime,
) -> Result<NewInteraction, Invalid> {
    let mut e = Invalid::new();
    let channel = required(&mut e, "channel", input.channel.as_deref());
    let direction = required(&mut e, "direction", input.direction.as_deref());
    let channel = channel.and_then(|c| Channel::parse(c).map_err(|m| e.add("channel", m)).ok());
    let direction = direction.and_then(|d| Direction::parse(d).map_err(|m| e.add("direction", m)).ok());
    let platform = match input.platform.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Platform::parse(p).map_err(|m| e.add("platform", m)).ok(),
    };
    let occurred_at = domain::occurred_at(&mut e, "occurred_at", input.occurred_at.as_deref(), at);
    let subject = optional_text(&mut e, "subject", input.subject.as_deref(), MAX_SUBJECT);
    let participants = optional_text(&mut e, "participants", input.participants.as_deref(), MAX_PARTICIPANTS);
    let body = input.body.as_deref().map(str::trim).unwrap_or("").to_owned();
    let mut n = NewInteraction::new(
        creator,
        channel.unwrap_or(Channel::Other),
        direction.unwrap_or(Direction::Outbound),
        body,
        occurred_at,
    );
    n.platform = platform;
    n.subject = subject;
    n.participants = participants;
    check_sizes(&mut e, &n);
    e.errors.dedup_by(|a, b| a.field == b.field);
    e.into_result(n)
}

/// Logs an interaction by hand.
pub async fn log(app: &App, ctx: &Ctx, creator: CreatorId, input: InteractionInput) -> AppResult<InteractionView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    require_creator(&mut c, ctx, creator, false).await?;
    let new = parse_input(creator, &input, now())?;
    let recorded = record_in_tx(&mut c, ctx, new).await?;
    tx.commit().await?;
    Ok(recorded.view().clone())
}

/// A page of a creator's interactions, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InteractionPage {
    pub items: Vec<InteractionView>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Paging of a creator's interactions, as it arrives in a query string.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<String>,
}

/// Parses `limit` (1–200, default 50), naming it when bad.
pub(crate) fn page_limit(e: &mut Invalid, v: Option<&str>) -> i64 {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => 50,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=200).contains(&n) => n,
            _ => {
                e.add("limit", "must be a whole number from 1 to 200");
                50
            }
        },
    }
}

/// A creator's interactions, newest first by when they happened.
pub async fn list(app: &App, ctx: &Ctx, creator: CreatorId, q: &InteractionQuery) -> AppResult<InteractionPage> {
    let mut e = Invalid::new();
    let limit = page_limit(&mut e, q.limit.as_deref());
    let cursor = match q.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => c.parse::<InteractionId>().map_err(|_| e.add("cursor", "is not a cursor from this listing")).ok(),
    };
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    require_creator(&mut c, ctx, creator, true).await?;
    let after = match cursor {
        None => None,
        Some(id) => match store::get_of(&mut c, ctx.ws(), creator.0, id.0).await? {
            Some(row) => Some((row.occurred_at, row.id)),
            None => {
                e.add("cursor", "is not a cursor from this listing");
                None
            }
        },
    };
    e.into_result(())?;
    let mut rows = store::page_for(&mut c, ctx.ws(), creator.0, after, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| InteractionId(r.id).to_string())
    } else {
        None
    };
    Ok(InteractionPage { items: rows.into_iter().map(view).collect(), next_cursor })
}

/// A creator's latest interactions (at most `limit`), for the record page.
pub async fn latest(app: &App, ctx: &Ctx, creator: CreatorId, limit: i64) -> AppResult<Vec<InteractionView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    require_creator(&mut c, ctx, creator, true).await?;
    Ok(store::page_for(&mut c, ctx.ws(), creator.0, None, limit).await?.into_iter().map(view).collect())
}

/// Deletes an interaction; returns its creator.
pub async fn delete(app: &App, ctx: &Ctx, id: InteractionId) -> AppResult<CreatorId> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    store::delete(&mut c, ctx.ws(), id.0).await?;
    let v = view(row);
    let change = vec![Change { field: "interaction".into(), before: summary(&v), after: Value::Null }];
    timeline::record(&mut c, ctx, v.creator_id.0, "interaction.deleted", change).await?;
    tx.commit().await?;
    Ok(v.creator_id)
}

/// A creator's responsiveness and next touch, as the API returns them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResponsivenessView {
    /// The latest interaction in either direction.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_contact_at: Option<OffsetDateTime>,
    /// Median time the creator took to answer us, in minutes (absent with no reply yet).
    pub creator_median_reply_minutes: Option<i64>,
    /// The same in words: "3 h 20 min", "—".
    pub creator_median_reply: String,
    /// How many replies of the creator the median is over.
    pub creator_replies: usize,
    /// Median time we took to answer the creator, in minutes.
    pub our_median_reply_minutes: Option<i64>,
    pub our_median_reply: String,
    pub our_replies: usize,
    /// The cadence: reach out every N days.
    pub touch_every_days: Option<i64>,
    /// `YYYY-MM-DD`: last contact (or creation) + the cadence; absent without a cadence and
    /// for do-not-contact creators.
    pub next_touch_due: Option<String>,
    /// The next touch is due before today (UTC).
    pub touch_overdue: bool,
}

/// The responsiveness figures and next touch of a creator (see
/// [`rapport_core::responsiveness`] for the definitions).
pub async fn responsiveness(app: &App, ctx: &Ctx, creator: CreatorId) -> AppResult<ResponsivenessView> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let row = require_creator(&mut c, ctx, creator, true).await?;
    let touches: Vec<Touch> = store::touches(&mut c, ctx.ws(), creator.0)
        .await?
        .into_iter()
        .filter_map(|(d, at)| Direction::parse(&d).ok().map(|direction| Touch { direction, at }))
        .collect();
    let f = resp::figures(&touches);
    // Nobody reaches out to a do-not-contact creator, whatever the cadence says.
    let due = row
        .touch_every_days
        .filter(|_| !row.do_not_contact)
        .map(|n| resp::next_touch_due(n, f.last_contact, row.created_at));
    Ok(ResponsivenessView {
        last_contact_at: f.last_contact,
        creator_median_reply_minutes: f.creator_median.map(|d| d.whole_minutes()),
        creator_median_reply: resp::duration_text(f.creator_median),
        creator_replies: f.creator_replies,
        our_median_reply_minutes: f.our_median.map(|d| d.whole_minutes()),
        our_median_reply: resp::duration_text(f.our_median),
        our_replies: f.our_replies,
        touch_every_days: row.touch_every_days,
        next_touch_due: due.map(|d| d.to_string()),
        touch_overdue: due.is_some_and(|d| resp::is_overdue(d, now().date())),
    })
}
