//! The events that notify a collaboration's team: a draft submitted, a decision on it
//! (called from content review, inside its transaction), and the periodic scan for drafts
//! past their due date and open offers expiring within [`EXPIRY_WINDOW_HOURS`].

use super::{Kind, Notice, notify, team_of};
use crate::App;
use crate::context::Ctx;
use crate::error::AppResult;
use rapport_core::actor::now;
use rapport_core::collaborations::Direction;
use rapport_core::ids::{CollaborationId, WorkspaceId};
use rapport_core::money::{Currency, Money};
use rapport_store::deliverables::{self as deliverable_store, DeliverableRow};
use rapport_store::offers::{self as offer_store, OfferRow};
use rapport_store::submissions::SubmissionRow;
use rapport_store::{Conn, collaborations};
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// An open offer is announced when it expires within this many hours.
pub const EXPIRY_WINDOW_HOURS: i64 = 48;

fn link(collaboration: Uuid) -> String {
    format!("/collaborations/{}", CollaborationId(collaboration))
}

fn what(d: &DeliverableRow) -> String {
    format!("{} {} by {} ({})", d.platform, d.format.replace('_', " "), d.creator_name, d.campaign_name)
}

/// A new draft of a deliverable: its team hears, except whoever submitted it.
pub async fn submitted(c: &mut Conn<'_>, ctx: &Ctx, d: &DeliverableRow, s: &SubmissionRow) -> AppResult<usize> {
    let notice = Notice {
        kind: Kind::Submission,
        subject: format!("New draft to review: {}", what(d)),
        body: format!("{} submitted version {} of the {}.", s.submitted_by_label, s.version, what(d)),
        link: link(d.collaboration_id),
        source_key: format!("submission:{}", s.id),
    };
    let team = team_of(c, ctx.ws(), d.collaboration_id, ctx.actor.user_id().map(|u| u.0)).await?;
    notify(c, ctx.workspace_id, &team, &notice).await
}

/// A decision on a draft: the team hears, except the member who decided.
pub async fn decided(c: &mut Conn<'_>, ctx: &Ctx, d: &DeliverableRow, s: &SubmissionRow) -> AppResult<usize> {
    let decision = rapport_core::reviews::Decision::parse(s.decision.as_deref().unwrap_or_default())
        .map_or("Decided", |d| d.label());
    let mut body = format!("{} on version {} of the {}: {decision}.", ctx.actor_label, s.version, what(d));
    if let Some(f) = &s.feedback {
        body.push_str(&format!("\n\nFeedback: {f}"));
    }
    let notice = Notice {
        kind: Kind::Decision,
        subject: format!("{decision}: {}", what(d)),
        body,
        link: link(d.collaboration_id),
        source_key: format!("decision:{}", s.id),
    };
    let team = team_of(c, ctx.ws(), d.collaboration_id, ctx.actor.user_id().map(|u| u.0)).await?;
    notify(c, ctx.workspace_id, &team, &notice).await
}

/// Runs forever: scans for overdue drafts and expiring offers every `tick`.
pub async fn run(app: App, tick: StdDuration) {
    loop {
        if let Err(e) = run_due(&app, now()).await {
            tracing::error!(error = %e, "the notification scan failed");
        }
        tokio::time::sleep(tick).await;
    }
}

/// Notifies the teams of drafts overdue and open offers expiring as of `at`; each person
/// hears about each once however often this runs. Returns how many people were told.
pub async fn run_due(app: &App, at: OffsetDateTime) -> AppResult<usize> {
    let (overdue, expiring) = {
        let mut p = app.db.read().await?;
        let mut c = p.conn();
        let overdue = deliverable_store::overdue_drafts(&mut c, at.date()).await?;
        let expiring = offer_store::expiring(&mut c, at, at + Duration::hours(EXPIRY_WINDOW_HOURS)).await?;
        (overdue, expiring)
    };
    let mut told = 0;
    for (ws, d) in &overdue {
        let mut tx = app.db.begin().await?;
        told += overdue_draft(&mut tx.conn(), *ws, d).await?;
        tx.commit().await?;
    }
    for (ws, o) in &expiring {
        let mut tx = app.db.begin().await?;
        told += offer_expiring(&mut tx.conn(), *ws, o).await?;
        tx.commit().await?;
    }
    Ok(told)
}

async fn overdue_draft(c: &mut Conn<'_>, ws: Uuid, d: &DeliverableRow) -> AppResult<usize> {
    let Some(due) = d.draft_due_on else { return Ok(0) };
    let notice = Notice {
        kind: Kind::OverdueDraft,
        subject: format!("Draft overdue: {}", what(d)),
        body: format!("The draft of the {} was due on {due} and has not been submitted.", what(d)),
        link: link(d.collaboration_id),
        source_key: format!("overdue:{}:{due}", d.id),
    };
    let team = team_of(c, ws, d.collaboration_id, None).await?;
    notify(c, WorkspaceId(ws), &team, &notice).await
}

async fn offer_expiring(c: &mut Conn<'_>, ws: Uuid, o: &OfferRow) -> AppResult<usize> {
    let (Some(expires), Some(collab)) = (o.expires_at, collaborations::get(c, ws, o.collaboration_id).await?) else {
        return Ok(0);
    };
    let amount = Currency::parse(&o.currency)
        .map_or(format!("{} {}", o.amount_minor, o.currency), |cur| Money::new(o.amount_minor, cur).to_string());
    let whose = match Direction::parse(&o.direction) {
        Some(Direction::CreatorToBrand) => format!("{}'s offer", collab.creator_name),
        _ => format!("Our offer to {}", collab.creator_name),
    };
    let when = format!("{} {:02}:{:02}", expires.date(), expires.hour(), expires.minute());
    let notice = Notice {
        kind: Kind::OfferExpiring,
        subject: format!("Offer expiring: {} ({})", collab.creator_name, collab.campaign_name),
        body: format!("{whose} of {amount} on {} expires at {when} UTC and is still open.", collab.campaign_name),
        link: link(collab.id),
        source_key: format!("offer_expiring:{}", o.id),
    };
    let team = team_of(c, ws, collab.id, None).await?;
    notify(c, WorkspaceId(ws), &team, &notice).await
}
