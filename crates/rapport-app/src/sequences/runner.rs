//! Sends the due steps of active enrolments. Before each step it checks again whether the
//! enrolment should stop — the creator replied since enrolment, moved to another stage,
//! unsubscribed (their address is suppressed) or became do-not-contact — and otherwise
//! queues the step's template in the same thread as the first email (`In-Reply-To`), as
//! the member who enrolled them. A step that cannot go out yet (no SMTP server) waits an
//! hour and says why.

use super::end;
use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::outbox::{self, EmailInput};
use rapport_core::actor::{Actor, now};
use rapport_core::ids::{CreatorId, TemplateId, WorkspaceId};
use rapport_store::sequences::{self as store, EnrollmentRow};
use rapport_store::{Conn, creators, suppressions};
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};

/// Runs forever: sends the steps that are due.
pub async fn run(app: App, tick: StdDuration) {
    loop {
        if let Err(e) = run_due(&app, now()).await {
            tracing::error!(error = %e, "sending sequence steps failed");
        }
        tokio::time::sleep(tick).await;
    }
}

/// Handles every enrolment whose next step is due at `at`; returns how many it looked at.
pub async fn run_due(app: &App, at: OffsetDateTime) -> AppResult<usize> {
    let mut seen = 0;
    loop {
        let due = {
            let mut p = app.db.read().await?;
            store::due(&mut p.conn(), at, 50).await?
        };
        if due.is_empty() {
            return Ok(seen);
        }
        for e in &due {
            step(app, e, at).await?;
        }
        seen += due.len();
    }
}

/// The acting context of an enrolment: the member who enrolled the creator.
fn ctx_of(e: &EnrollmentRow) -> Ctx {
    let actor = match Actor::parse(&e.enrolled_by) {
        a @ (Actor::User(_) | Actor::ApiKey(_)) => a,
        _ => Actor::System,
    };
    Ctx::system(WorkspaceId(e.workspace_id), actor, "Sequence")
}

/// Why an enrolment must stop now, if it must.
async fn stop_reason(c: &mut Conn<'_>, e: &EnrollmentRow) -> AppResult<Option<&'static str>> {
    let Some(creator) = creators::get(c, e.workspace_id, e.creator_id).await?.filter(|r| r.deleted_at.is_none()) else {
        return Ok(Some("creator_deleted"));
    };
    if creator.do_not_contact {
        return Ok(Some("do_not_contact"));
    }
    if store::replied_since(c, e.workspace_id, e.creator_id, e.enrolled_at).await? {
        return Ok(Some("replied"));
    }
    if creator.stage != e.stage_at_enrollment {
        return Ok(Some("stage_changed"));
    }
    for p in creators::contact_points(c, &[e.creator_id]).await? {
        if p.kind == "email" && suppressions::get(c, e.workspace_id, &p.normalized).await?.is_some() {
            return Ok(Some("unsubscribed"));
        }
    }
    Ok(None)
}

async fn step(app: &App, e: &EnrollmentRow, at: OffsetDateTime) -> AppResult<()> {
    let ctx = ctx_of(e);
    let (reason, steps) = {
        let mut p = app.db.read().await?;
        let mut c = p.conn();
        (stop_reason(&mut c, e).await?, store::steps(&mut c, e.workspace_id, e.sequence_id).await?)
    };
    let step = steps.iter().find(|s| s.position == e.next_position);
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    match (reason, step) {
        (Some(r), _) => end(&mut c, &ctx, e, "stopped", Some(r), now()).await?,
        (None, None) => end(&mut c, &ctx, e, "completed", None, now()).await?,
        (None, Some(_)) => {}
    }
    tx.commit().await?;
    let (None, Some(step)) = (reason, step) else { return Ok(()) };

    let email = EmailInput {
        template_id: Some(TemplateId(step.template_id).to_string()),
        in_reply_to: e.first_message_id.clone(),
        idempotency_key: Some(format!("sequence-{}-{}", e.id.simple(), step.position + 1)),
        ignore_warnings: true,
        ..Default::default()
    };
    let sent = outbox::queue_checked(app, &ctx, CreatorId(e.creator_id), email, &e.origin, false).await;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    match sent {
        Ok(_) => {
            let next = steps.iter().find(|s| s.position == e.next_position + 1);
            match next {
                Some(n) => {
                    let when = at + Duration::days(n.delay_days);
                    store::advance(&mut c, e.id, n.position, Some(when), None, None).await?;
                }
                None => {
                    store::advance(&mut c, e.id, e.next_position + 1, None, None, None).await?;
                    end(&mut c, &ctx, e, "completed", None, now()).await?;
                }
            }
        }
        Err(AppError::Conflict { field: Some(f), .. }) if f == "creator" => {
            end(&mut c, &ctx, e, "stopped", Some("do_not_contact"), now()).await?
        }
        Err(AppError::Conflict { field: Some(f), .. }) if f == "to" => {
            end(&mut c, &ctx, e, "stopped", Some("unsubscribed"), now()).await?
        }
        Err(AppError::NotFound) => end(&mut c, &ctx, e, "stopped", Some("creator_deleted"), now()).await?,
        Err(AppError::Invalid(bad)) => {
            let why = bad.errors.iter().map(|f| format!("{} {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
            store::advance(&mut c, e.id, e.next_position, e.next_step_at, None, Some(why)).await?;
            end(&mut c, &ctx, e, "stopped", Some("failed"), now()).await?;
        }
        Err(AppError::Conflict { message, .. }) => {
            let retry = at + Duration::hours(1);
            store::advance(&mut c, e.id, e.next_position, Some(retry), None, Some(message)).await?;
        }
        Err(other) => return Err(other),
    }
    tx.commit().await.map_err(Into::into)
}
