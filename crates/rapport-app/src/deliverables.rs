//! Deliverables — what a creator owes on a collaboration — and their status machine.
//! Planning and changing them is the team's; moving their status follows
//! [`Status::allowed_next`] with a history row and a creator timeline event in the same
//! transaction ([`set_status`]). Submitting and deciding drafts (which also move the
//! status) live in [`crate::reviews`]; publishing takes the live URL.

use crate::App;
use crate::campaigns::merge_patch;
use crate::collaborations::{require_collaboration, stage_of, visible};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::deliverables::{Deliverable, DeliverableInput, Format, Status, validate};
use rapport_core::diff::Change;
use rapport_core::ids::{CampaignId, CollaborationId, CreatorId, DeliverableId};
use rapport_core::platform::Platform;
use rapport_core::reviews::web_link;
use rapport_store::Conn;
use rapport_store::deliverables::{self as store, DeliverableRow, StatusChangeRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliverableView {
    #[schema(value_type = String, example = "dl_0193…")]
    pub id: DeliverableId,
    #[schema(value_type = String, example = "col_0193…")]
    pub collaboration_id: CollaborationId,
    #[schema(value_type = String, example = "cp_0193…")]
    pub campaign_id: CampaignId,
    pub campaign_name: String,
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    pub creator_name: String,
    pub platform: String,
    pub platform_label: String,
    /// `post`, `reel`, `story`, `short`, `video`, `live`, `blog`, `newsletter` or `ugc_asset`.
    pub format: String,
    pub format_label: String,
    pub quantity: i64,
    pub draft_due_on: Option<String>,
    pub publish_from: Option<String>,
    pub publish_until: Option<String>,
    /// In minor units of `currency` (the campaign's).
    pub fee_minor: Option<i64>,
    pub currency: String,
    /// The fee written out ("EUR 1,600.00").
    pub fee_text: Option<String>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
    pub link: Option<String>,
    pub code: Option<String>,
    pub disclosure_required: bool,
    /// `planned`, `draft_submitted`, `changes_requested`, `approved`, `published`,
    /// `verified`, `missed` or `cancelled`.
    pub status: String,
    pub status_label: String,
    /// The statuses it may move to next.
    pub allowed_statuses: Vec<String>,
    /// Waiting for a draft whose due date has passed.
    pub draft_overdue: bool,
    pub published_url: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// One change in a deliverable's status history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusChangeView {
    pub from_status: Option<String>,
    pub to_status: String,
    pub to_label: String,
    pub actor_label: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: OffsetDateTime,
}

/// A status move by hand. Publishing needs the live URL.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub status: Option<String>,
    /// Why, kept in the history.
    pub reason: Option<String>,
    /// The live post, when moving to `published`.
    pub published_url: Option<String>,
}

/// A stored status.
pub fn status_of(r: &DeliverableRow) -> AppResult<Status> {
    Status::parse(&r.status).ok_or_else(|| AppError::Internal(format!("stored status {}", r.status)))
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn json_text(v: &[String]) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

/// The campaign's own required hashtags and mentions of a deliverable's campaign come
/// from the campaign row; these are the deliverable's.
pub fn hashtags_of(r: &DeliverableRow) -> Vec<String> {
    json_list(&r.hashtags)
}

pub fn mentions_of(r: &DeliverableRow) -> Vec<String> {
    json_list(&r.mentions)
}

/// The view of a stored deliverable as of `today`.
pub fn view(r: DeliverableRow, today: Date) -> AppResult<DeliverableView> {
    let status = status_of(&r)?;
    let platform_label = Platform::parse(&r.platform).map(Platform::label).unwrap_or(r.platform.as_str()).to_owned();
    let format_label = Format::parse(&r.format).map(Format::label).unwrap_or(r.format.as_str()).to_owned();
    Ok(DeliverableView {
        id: DeliverableId(r.id),
        collaboration_id: CollaborationId(r.collaboration_id),
        campaign_id: CampaignId(r.campaign_id),
        campaign_name: r.campaign_name.clone(),
        creator_id: CreatorId(r.creator_id),
        creator_name: r.creator_name.clone(),
        platform_label,
        format_label,
        quantity: r.quantity,
        draft_due_on: r.draft_due_on.map(|d| d.to_string()),
        publish_from: r.publish_from.map(|d| d.to_string()),
        publish_until: r.publish_until.map(|d| d.to_string()),
        fee_minor: r.fee_minor,
        fee_text: r.fee_minor.map(|f| crate::campaigns::money_text(f, &r.currency)),
        currency: r.currency.clone(),
        hashtags: hashtags_of(&r),
        mentions: mentions_of(&r),
        disclosure_required: r.disclosure_required,
        status: status.slug().into(),
        status_label: status.label().into(),
        allowed_statuses: status.allowed_next().iter().map(|s| s.slug().to_string()).collect(),
        draft_overdue: status.awaits_draft() && r.draft_due_on.is_some_and(|d| d < today),
        published_url: r.published_url,
        published_at: r.published_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        platform: r.platform,
        format: r.format,
        link: r.link,
        code: r.code,
    })
}

/// Views as of today (UTC).
pub fn views(rows: Vec<DeliverableRow>) -> AppResult<Vec<DeliverableView>> {
    let today = now().date();
    rows.into_iter().map(|r| view(r, today)).collect()
}

/// A deliverable of the caller's workspace (in the portal, of the signed-in creator).
pub async fn require_deliverable(c: &mut Conn<'_>, ctx: &Ctx, id: DeliverableId) -> AppResult<DeliverableRow> {
    let row = store::get(c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    visible(ctx, row.creator_id)?;
    Ok(row)
}

fn apply(row: &mut DeliverableRow, d: &Deliverable) -> AppResult<()> {
    row.platform = d.platform.slug().into();
    row.format = d.format.slug().into();
    row.quantity = d.quantity;
    row.draft_due_on = d.draft_due_on;
    row.publish_from = d.publish_from;
    row.publish_until = d.publish_until;
    row.fee_minor = d.fee_minor;
    row.hashtags = json_text(&d.hashtags)?;
    row.mentions = json_text(&d.mentions)?;
    row.link = d.link.clone();
    row.code = d.code.clone();
    row.disclosure_required = d.disclosure_required;
    Ok(())
}

/// "Reel on Instagram", "3 × Story on Instagram".
pub fn summary(r: &DeliverableRow) -> String {
    let format = Format::parse(&r.format).map(Format::label).unwrap_or(r.format.as_str());
    let platform = Platform::parse(&r.platform).map(Platform::label).unwrap_or(r.platform.as_str());
    if r.quantity > 1 { format!("{} × {format} on {platform}", r.quantity) } else { format!("{format} on {platform}") }
}

fn text_change(field: &str, before: Option<String>, after: Option<String>) -> Change {
    let v = |s: Option<String>| s.map_or(Value::Null, Value::String);
    Change { field: field.into(), before: v(before), after: v(after) }
}

/// Plans a deliverable on an open collaboration.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    collaboration: CollaborationId,
    input: DeliverableInput,
) -> AppResult<DeliverableView> {
    ctx.require_write()?;
    let d = validate(&input)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let collab = require_collaboration(&mut c, ctx, collaboration).await?;
    if !stage_of(&collab)?.is_open() {
        return Err(AppError::Conflict {
            message: format!("the collaboration is {}; deliverables can only be planned on an open one", collab.stage),
            field: Some("collaboration_id".into()),
            existing: None,
        });
    }
    let t = now();
    let mut row = DeliverableRow {
        id: Uuid::now_v7(),
        collaboration_id: collab.id,
        campaign_id: collab.campaign_id,
        campaign_name: collab.campaign_name.clone(),
        creator_id: collab.creator_id,
        creator_name: collab.creator_name.clone(),
        currency: collab.currency.clone(),
        platform: String::new(),
        format: String::new(),
        quantity: 1,
        draft_due_on: None,
        publish_from: None,
        publish_until: None,
        fee_minor: None,
        hashtags: "[]".into(),
        mentions: "[]".into(),
        link: None,
        code: None,
        disclosure_required: true,
        status: Status::Planned.slug().into(),
        published_url: None,
        published_at: None,
        created_by: ctx.actor.to_string(),
        created_at: t,
        updated_at: t,
    };
    apply(&mut row, &d)?;
    store::insert(&mut c, ctx.ws(), &row).await?;
    write_history(&mut c, ctx, row.id, None, Status::Planned, None, t).await?;
    let what = format!("{} for {}", summary(&row), collab.campaign_name);
    timeline::record(
        &mut c,
        ctx,
        collab.creator_id,
        "deliverable.planned",
        vec![text_change("deliverable", None, Some(what))],
    )
    .await?;
    tx.commit().await?;
    view(row, t.date())
}

/// A collaboration's deliverables in the order they were planned.
pub async fn list_for_collaboration(
    app: &App,
    ctx: &Ctx,
    collaboration: CollaborationId,
) -> AppResult<Vec<DeliverableView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let collab = require_collaboration(&mut c, ctx, collaboration).await?;
    views(store::list_for_collaboration(&mut c, ctx.ws(), collab.id).await?)
}

/// One deliverable.
pub async fn get(app: &App, ctx: &Ctx, id: DeliverableId) -> AppResult<DeliverableView> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    view(require_deliverable(&mut c, ctx, id).await?, now().date())
}

/// A deliverable's status history, oldest first.
pub async fn history(c: &mut Conn<'_>, ctx: &Ctx, id: Uuid) -> AppResult<Vec<StatusChangeView>> {
    Ok(store::status_history(c, ctx.ws(), id)
        .await?
        .into_iter()
        .map(|h| StatusChangeView {
            from_status: h.from_status,
            to_label: Status::parse(&h.to_status).map_or_else(|| h.to_status.clone(), |s| s.label().to_string()),
            to_status: h.to_status,
            actor_label: h.actor_label,
            reason: h.reason,
            changed_at: h.changed_at,
        })
        .collect())
}

/// The editable state of a deliverable, for patches and the edit form.
pub fn editable(v: &DeliverableView) -> DeliverableInput {
    DeliverableInput {
        platform: Some(v.platform.clone()),
        format: Some(v.format.clone()),
        quantity: Some(v.quantity),
        draft_due_on: v.draft_due_on.clone(),
        publish_from: v.publish_from.clone(),
        publish_until: v.publish_until.clone(),
        fee_minor: v.fee_minor,
        hashtags: Some(v.hashtags.clone()),
        mentions: Some(v.mentions.clone()),
        link: v.link.clone(),
        code: v.code.clone(),
        disclosure_required: Some(v.disclosure_required),
    }
}

/// Changes a deliverable's terms (JSON merge patch). A closed deliverable cannot change.
pub async fn patch(app: &App, ctx: &Ctx, id: DeliverableId, patch: Value) -> AppResult<DeliverableView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = require_deliverable(&mut c, ctx, id).await?;
    if !status_of(&row)?.is_open() {
        return Err(AppError::Conflict {
            message: format!("a deliverable that is {} cannot be changed", row.status),
            field: Some("status".into()),
            existing: None,
        });
    }
    let t = now();
    let current = editable(&view(row.clone(), t.date())?);
    let input: DeliverableInput = merge_patch(&current, patch)?;
    let d = validate(&input)?;
    let before = (row.draft_due_on, row.publish_from, row.publish_until);
    apply(&mut row, &d)?;
    row.updated_at = t;
    store::update(&mut c, ctx.ws(), &row).await?;
    let after = (row.draft_due_on, row.publish_from, row.publish_until);
    if before != after {
        let dates = |(a, b, c): (Option<Date>, Option<Date>, Option<Date>)| {
            Some(format!(
                "draft {}, publish {}–{}",
                a.map_or("—".into(), |d| d.to_string()),
                b.map_or("—".into(), |d| d.to_string()),
                c.map_or("—".into(), |d| d.to_string())
            ))
        };
        timeline::record(
            &mut c,
            ctx,
            row.creator_id,
            "deliverable.rescheduled",
            vec![text_change("dates", dates(before), dates(after))],
        )
        .await?;
    }
    tx.commit().await?;
    view(row, t.date())
}

async fn write_history(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    deliverable: Uuid,
    from: Option<Status>,
    to: Status,
    reason: Option<String>,
    at: OffsetDateTime,
) -> AppResult<()> {
    store::insert_status_change(
        c,
        ctx.ws(),
        &StatusChangeRow {
            id: Uuid::now_v7(),
            deliverable_id: deliverable,
            from_status: from.map(|s| s.slug().into()),
            to_status: to.slug().into(),
            actor: ctx.actor.to_string(),
            actor_label: ctx.actor_label.clone(),
            reason,
            changed_at: at,
        },
    )
    .await?;
    Ok(())
}

/// Sets a deliverable's status inside the caller's transaction: checks the move (409
/// naming the allowed statuses), writes the row, the history row and the creator's
/// timeline event.
pub async fn set_status(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    row: &mut DeliverableRow,
    to: Status,
    reason: Option<String>,
) -> AppResult<()> {
    let from = status_of(row)?;
    from.transition(to).map_err(|m| AppError::Conflict { message: m, field: Some("status".into()), existing: None })?;
    let t = now();
    row.status = to.slug().into();
    row.updated_at = t;
    store::update(c, ctx.ws(), row).await?;
    write_history(c, ctx, row.id, Some(from), to, reason, t).await?;
    timeline::record(
        c,
        ctx,
        row.creator_id,
        "deliverable.status",
        vec![Change {
            field: summary(row),
            before: Value::String(from.label().into()),
            after: Value::String(to.label().into()),
        }],
    )
    .await
}

/// The moves that happen through a review instead of by hand.
const REVIEW_MOVES: [Status; 3] = [Status::DraftSubmitted, Status::ChangesRequested, Status::Approved];

/// Moves a deliverable by hand: missed, cancelled, published (with the live URL) or
/// verified. Drafts are submitted and decided through reviews. The creator may publish
/// their own approved deliverable; every other move is the team's.
pub async fn move_status(app: &App, ctx: &Ctx, id: DeliverableId, input: StatusInput) -> AppResult<DeliverableView> {
    ctx.require_contributor()?;
    let mut e = Invalid::new();
    let to = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("status", "is required");
            None
        }
        Some(s) => Status::parse(s).or_else(|| {
            let names: Vec<&str> = Status::ALL.iter().map(|s| s.slug()).collect();
            e.add("status", format!("must be one of {}", names.join(", ")));
            None
        }),
    };
    let reason = rapport_core::validation::optional_text(&mut e, "reason", input.reason.as_deref(), 2000);
    let url = match input.published_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) => web_link(&mut e, "published_url", u),
        None if to == Some(Status::Published) => {
            e.add("published_url", "is required to mark a deliverable published");
            None
        }
        None => None,
    };
    let to = e.into_result(to)?.ok_or_else(|| AppError::Internal("status".into()))?;
    if ctx.creator().is_some() && to != Status::Published {
        return Err(AppError::Forbidden("creators can only mark their approved content published".into()));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = require_deliverable(&mut c, ctx, id).await?;
    if REVIEW_MOVES.contains(&to) {
        let from = status_of(&row)?;
        let allowed: Vec<&str> =
            from.allowed_next().into_iter().filter(|s| !REVIEW_MOVES.contains(s)).map(|s| s.slug()).collect();
        return Err(AppError::Conflict {
            message: format!(
                "{} is set by submitting or reviewing a draft, not by hand; allowed by hand from {}: {}",
                to.slug(),
                from.slug(),
                if allowed.is_empty() { "nothing".to_string() } else { allowed.join(", ") }
            ),
            field: Some("status".into()),
            existing: None,
        });
    }
    if to == Status::Published {
        row.published_url = url;
        row.published_at = Some(now());
    }
    set_status(&mut c, ctx, &mut row, to, reason).await?;
    tx.commit().await?;
    view(row, now().date())
}
