//! Sequences: multi-step follow-up emails. A sequence is an ordered list of steps, each a
//! playbook email template sent a number of days after the previous one. Enrolling a
//! creator sends the first step at once (through the outbox, with every check of a
//! hand-written email: do not contact, suppression, outreach lock, personalisation) and
//! the [`runner`] sends the rest in the same thread — unless the creator replies, changes
//! stage, unsubscribes or becomes do-not-contact, which stops the enrolment.

pub mod runner;

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::outbox::{self, EmailInput, change};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::ids::{CreatorId, EnrollmentId, SequenceId, TemplateId};
use rapport_core::templates::TemplateKind;
use rapport_core::validation::required_text;
use rapport_store::Conn;
use rapport_store::sequences::{self as store, EnrollmentRow, SequenceRow, StepRow};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The most steps a sequence may have.
pub const MAX_STEPS: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepView {
    /// A playbook email template, `tpl_…`.
    pub template_id: String,
    /// Days after the previous step (the first step goes out on enrolment: 0).
    pub delay_days: i64,
    #[serde(default, skip_deserializing)]
    pub template_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SequenceView {
    #[schema(value_type = String, example = "sq_0193…")]
    pub id: SequenceId,
    pub name: String,
    pub steps: Vec<StepView>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SequenceInput {
    pub name: Option<String>,
    pub steps: Option<Vec<StepInput>>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub template_id: Option<String>,
    pub delay_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrollmentView {
    #[schema(value_type = String, example = "enr_0193…")]
    pub id: EnrollmentId,
    #[schema(value_type = String, example = "sq_0193…")]
    pub sequence_id: SequenceId,
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    /// `active`, `completed` or `stopped`.
    pub status: String,
    /// `replied`, `stage_changed`, `unsubscribed`, `do_not_contact`, `creator_deleted`,
    /// `manual` or `failed`.
    pub stop_reason: Option<String>,
    /// The step that goes out next (1-based), while active.
    pub next_step: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_step_at: Option<OffsetDateTime>,
    /// Why the last step could not go out yet, if it could not.
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub enrolled_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<OffsetDateTime>,
}

impl From<EnrollmentRow> for EnrollmentView {
    fn from(e: EnrollmentRow) -> Self {
        let active = e.status == "active";
        EnrollmentView {
            id: EnrollmentId(e.id),
            sequence_id: SequenceId(e.sequence_id),
            creator_id: CreatorId(e.creator_id),
            status: e.status,
            stop_reason: e.stop_reason,
            next_step: active.then_some(e.next_position + 1),
            next_step_at: e.next_step_at,
            last_error: e.last_error,
            enrolled_at: e.enrolled_at,
            ended_at: e.ended_at,
        }
    }
}

async fn view(c: &mut Conn<'_>, ctx: &Ctx, s: SequenceRow) -> AppResult<SequenceView> {
    let steps = store::steps(c, ctx.ws(), s.id).await?;
    let mut out = Vec::with_capacity(steps.len());
    for st in steps {
        let name = rapport_store::playbook::get(c, ctx.ws(), st.template_id).await?.map(|t| t.name).unwrap_or_default();
        out.push(StepView {
            template_id: TemplateId(st.template_id).to_string(),
            delay_days: st.delay_days,
            template_name: name,
        });
    }
    Ok(SequenceView { id: SequenceId(s.id), name: s.name, steps: out, created_at: s.created_at })
}

/// Checks the steps: 1 to [`MAX_STEPS`], each an email template of the workspace, the
/// first going out on enrolment, the others 1–365 days after the previous one.
async fn steps_of(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    e: &mut Invalid,
    input: Option<&[StepInput]>,
) -> AppResult<Vec<StepRow>> {
    let Some(steps) = input.filter(|s| !s.is_empty()) else {
        e.add("steps", "needs at least one step: a playbook email template");
        return Ok(vec![]);
    };
    if steps.len() > MAX_STEPS {
        e.add("steps", format!("may have at most {MAX_STEPS} steps"));
    }
    let mut rows = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let field = format!("steps[{i}]");
        let template = s.template_id.as_deref().and_then(|t| t.trim().parse::<TemplateId>().ok());
        let found = match template {
            Some(t) => {
                rapport_store::playbook::get(c, ctx.ws(), t.0).await?.filter(|t| t.kind == TemplateKind::Email.slug())
            }
            None => None,
        };
        let Some(t) = found else {
            e.add(format!("{field}.template_id"), "is not an email template of this workspace");
            continue;
        };
        let delay = s.delay_days.unwrap_or(if i == 0 { 0 } else { 3 });
        if i == 0 && delay != 0 {
            e.add(format!("{field}.delay_days"), "must be 0: the first step goes out when a creator is enrolled");
        } else if i > 0 && !(1..=365).contains(&delay) {
            e.add(format!("{field}.delay_days"), "must be between 1 and 365 days after the previous step");
        }
        rows.push(StepRow { position: i as i64, delay_days: delay, template_id: t.id });
    }
    Ok(rows)
}

pub async fn create(app: &App, ctx: &Ctx, input: SequenceInput) -> AppResult<SequenceView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut e = Invalid::new();
    let name = required_text(&mut e, "name", input.name.as_deref(), 120);
    let steps = steps_of(&mut c, ctx, &mut e, input.steps.as_deref()).await?;
    e.into_result(())?;
    let at = now();
    let row =
        SequenceRow { id: Uuid::now_v7(), name, created_by: ctx.actor.to_string(), created_at: at, updated_at: at };
    store::insert(&mut c, ctx.ws(), &row).await?;
    store::set_steps(&mut c, ctx.ws(), row.id, &steps).await?;
    let v = view(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(v)
}

/// Renames a sequence and/or replaces its steps; active enrolments go on from their
/// position with the new steps.
pub async fn update(app: &App, ctx: &Ctx, id: SequenceId, input: SequenceInput) -> AppResult<SequenceView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    let mut e = Invalid::new();
    let name = match input.name.as_deref() {
        Some(n) => required_text(&mut e, "name", Some(n), 120),
        None => row.name.clone(),
    };
    let steps = match input.steps.as_deref() {
        Some(s) => Some(steps_of(&mut c, ctx, &mut e, Some(s)).await?),
        None => None,
    };
    e.into_result(())?;
    store::rename(&mut c, ctx.ws(), id.0, &name, now()).await?;
    if let Some(steps) = steps {
        store::set_steps(&mut c, ctx.ws(), id.0, &steps).await?;
    }
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    let v = view(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn get(app: &App, ctx: &Ctx, id: SequenceId) -> AppResult<SequenceView> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    view(&mut c, ctx, row).await
}

pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<SequenceView>> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let mut out = vec![];
    for row in store::list(&mut c, ctx.ws()).await? {
        out.push(view(&mut c, ctx, row).await?);
    }
    Ok(out)
}

/// Deletes a sequence; its active enrolments stop.
pub async fn delete(app: &App, ctx: &Ctx, id: SequenceId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let at = now();
    if store::delete(&mut c, ctx.ws(), id.0, at).await? == 0 {
        return Err(AppError::NotFound);
    }
    for e in store::enrollments(&mut c, ctx.ws(), Some(id.0), None).await? {
        end(&mut c, ctx, &e, "stopped", Some("manual"), at).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Creators to enrol, and the confirmations a first email may need.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollInput {
    /// `cr_…` ids.
    pub creator_ids: Vec<String>,
    /// Overrides the outreach lock for these creators (logged).
    #[serde(rename = "override", default)]
    pub override_lock: bool,
    pub override_note: Option<String>,
    /// Sends the first step despite personalisation warnings.
    #[serde(default)]
    pub ignore_warnings: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Refusal {
    pub creator_id: String,
    /// The field the refusal is about (`creator`, `to`, `override`, `ignore_warnings`, …).
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrollResult {
    pub enrolled: Vec<EnrollmentView>,
    pub refused: Vec<Refusal>,
}

/// Enrols creators: for each, the first step is queued now (or the creator is refused with
/// the reason — do not contact, suppressed, locked, not personal, already enrolled).
pub async fn enroll(app: &App, ctx: &Ctx, id: SequenceId, input: EnrollInput, origin: &str) -> AppResult<EnrollResult> {
    ctx.require_write()?;
    let (sequence, steps) = {
        let mut p = app.db.read().await?;
        let mut c = p.conn();
        let s = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
        let steps = store::steps(&mut c, ctx.ws(), id.0).await?;
        (s, steps)
    };
    if input.creator_ids.is_empty() || input.creator_ids.len() > 500 {
        return Err(Invalid::one("creator_ids", "must list 1 to 500 creators").into());
    }
    let Some(first) = steps.first() else {
        return Err(Invalid::one("steps", "this sequence has no steps").into());
    };
    let mut result = EnrollResult { enrolled: vec![], refused: vec![] };
    for raw in &input.creator_ids {
        let refuse = |field: Option<String>, message: String| Refusal { creator_id: raw.clone(), field, message };
        let Ok(creator) = raw.trim().parse::<CreatorId>() else {
            result.refused.push(refuse(Some("creator".into()), "is not a creator of this workspace".into()));
            continue;
        };
        match enroll_one(app, ctx, &sequence, &steps, first, creator, &input, origin).await {
            Ok(Some(e)) => result.enrolled.push(e),
            Ok(None) => result.refused.push(refuse(None, "is already enrolled in this sequence".into())),
            Err(AppError::NotFound) => {
                result.refused.push(refuse(Some("creator".into()), "is not a creator of this workspace".into()))
            }
            Err(AppError::Conflict { message, field, .. }) => result.refused.push(refuse(field, message)),
            Err(AppError::Invalid(e)) => {
                let msg = e.errors.iter().map(|f| format!("{} {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
                result.refused.push(refuse(e.errors.first().map(|f| f.field.clone()), msg));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(result)
}

#[allow(clippy::too_many_arguments)]
async fn enroll_one(
    app: &App,
    ctx: &Ctx,
    sequence: &SequenceRow,
    steps: &[StepRow],
    first: &StepRow,
    creator: CreatorId,
    input: &EnrollInput,
    origin: &str,
) -> AppResult<Option<EnrollmentView>> {
    let row = {
        let mut p = app.db.read().await?;
        let mut c = p.conn();
        let row = crate::creators::require_creator(&mut c, ctx, creator, false).await?;
        if !store::active_for(&mut c, ctx.ws(), row.id).await?.iter().all(|e| e.sequence_id != sequence.id) {
            return Ok(None);
        }
        row
    };
    let id = Uuid::now_v7();
    let email = EmailInput {
        template_id: Some(TemplateId(first.template_id).to_string()),
        idempotency_key: Some(format!("sequence-{}-1", id.simple())),
        override_lock: input.override_lock,
        override_note: input.override_note.clone(),
        ignore_warnings: input.ignore_warnings,
        ..Default::default()
    };
    let sent = outbox::queue(app, ctx, creator, email, origin).await?;
    let at = now();
    let enrollment = EnrollmentRow {
        id,
        workspace_id: ctx.ws(),
        sequence_id: sequence.id,
        creator_id: row.id,
        status: "active".into(),
        stop_reason: None,
        next_position: 1,
        next_step_at: steps.get(1).map(|s| at + Duration::days(s.delay_days)),
        stage_at_enrollment: row.stage.clone(),
        origin: origin.to_owned(),
        first_message_id: Some(sent.message_id.clone()),
        last_error: None,
        enrolled_by: ctx.actor.to_string(),
        enrolled_at: at,
        ended_at: None,
    };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if !store::enroll(&mut c, &enrollment).await? {
        return Ok(None);
    }
    store::advance(&mut c, id, 1, enrollment.next_step_at, Some(sent.message_id), None).await?;
    timeline::record(&mut c, ctx, row.id, "sequence.enrolled", vec![change("sequence", sequence.name.clone())]).await?;
    if steps.len() == 1 {
        end(&mut c, ctx, &enrollment, "completed", None, at).await?;
    }
    let saved = store::enrollment(&mut c, ctx.ws(), id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Some(saved.into()))
}

/// Ends an enrolment and says so on the creator's timeline.
pub(crate) async fn end(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    e: &EnrollmentRow,
    status: &str,
    reason: Option<&str>,
    at: OffsetDateTime,
) -> AppResult<()> {
    if store::end(c, e.id, status, reason, at).await? == 1 {
        let action = if status == "completed" { "sequence.completed" } else { "sequence.stopped" };
        timeline::record(c, ctx, e.creator_id, action, vec![change("reason", reason.unwrap_or(status).to_owned())])
            .await?;
    }
    Ok(())
}

/// Stops every active enrolment of a creator (inside the caller's transaction), e.g. when
/// they reply or unsubscribe.
pub(crate) async fn stop_all(c: &mut Conn<'_>, ctx: &Ctx, creator: Uuid, reason: &str) -> AppResult<()> {
    let at = now();
    for e in store::active_for(c, ctx.ws(), creator).await? {
        end(c, ctx, &e, "stopped", Some(reason), at).await?;
    }
    Ok(())
}

/// A sequence's enrolments, or a creator's, newest first.
pub async fn enrollments(
    app: &App,
    ctx: &Ctx,
    sequence: Option<SequenceId>,
    creator: Option<CreatorId>,
) -> AppResult<Vec<EnrollmentView>> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    if let Some(s) = sequence {
        store::get(&mut c, ctx.ws(), s.0).await?.ok_or(AppError::NotFound)?;
    }
    if let Some(cr) = creator {
        crate::creators::require_creator(&mut c, ctx, cr, true).await?;
    }
    let rows = store::enrollments(&mut c, ctx.ws(), sequence.map(|s| s.0), creator.map(|c| c.0)).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Stops one enrolment by hand.
pub async fn stop(app: &App, ctx: &Ctx, id: EnrollmentId) -> AppResult<EnrollmentView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let e = store::enrollment(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    if e.status != "active" {
        return Err(AppError::Conflict {
            message: format!("this enrolment is already {}", e.status),
            field: Some("status".into()),
            existing: None,
        });
    }
    end(&mut c, ctx, &e, "stopped", Some("manual"), now()).await?;
    let e = store::enrollment(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(e.into())
}
