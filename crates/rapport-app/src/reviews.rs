//! Content review: the creator (or the team for them) submits a draft of a deliverable —
//! each submission a new version with its own checklist, built from the brief and the
//! campaign's and deliverable's requirements, and the disclosure check of its caption —
//! and a reviewer requests changes or approves it, which moves the deliverable. Revision
//! rounds and time to decision come from the stored submissions. Someone without an
//! account (the brand's client) reviews through a share link: a 256-bit secret kept only
//! as its SHA-256, expiring, revocable.

use crate::App;
use crate::campaigns::require_campaign;
use crate::context::Ctx;
use crate::deliverables::{
    DeliverableView, StatusChangeView, hashtags_of, history, mentions_of, require_deliverable, set_status, status_of,
    view,
};
use crate::error::{AppError, AppResult};
use crate::tokens;
use rapport_core::Invalid;
use rapport_core::actor::{Actor, now};
use rapport_core::campaigns::DisclosureProfile;
use rapport_core::deliverables::Status;
use rapport_core::disclosure::{self, Requirements};
use rapport_core::ids::{CampaignId, CommentId, DeliverableId, ReviewLinkId, SubmissionId, WorkspaceId};
use rapport_core::reviews::{
    ChecklistItem, ChecklistSources, Decision, DecisionInput, SubmissionInput, checklist, list_items,
    validate_decision, validate_submission,
};
use rapport_core::roles::Role;
use rapport_core::templates::{CreatorFields, MergeContext, TemplateKind, render};
use rapport_core::validation::optional_text;
use rapport_store::Conn;
use rapport_store::deliverables::DeliverableRow;
use rapport_store::submissions::{self as store, CommentRow, ReviewLinkRow, SubmissionRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long a share link lives unless asked otherwise, and at most.
pub const LINK_DAYS: i64 = 7;
pub const MAX_LINK_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    #[schema(value_type = String, example = "cm_0193…")]
    pub id: CommentId,
    pub author_label: String,
    /// Whether the creator wrote it (in their portal).
    pub from_creator: bool,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    #[schema(value_type = String, example = "sub_0193…")]
    pub id: SubmissionId,
    #[schema(value_type = String, example = "dl_0193…")]
    pub deliverable_id: DeliverableId,
    /// The round: 1 for the first draft, 2 for the first revision…
    pub version: i64,
    pub caption: Option<String>,
    pub links: Vec<String>,
    pub file_ids: Vec<String>,
    pub note: Option<String>,
    pub submitted_by_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: OffsetDateTime,
    /// The review checklist; ticked as the reviewer left it.
    pub checklist: Vec<ChecklistItem>,
    /// The disclosure check of the caption (advice, not legal advice).
    #[schema(value_type = Object)]
    pub disclosure: Value,
    /// `changes_requested`, `approved`, or absent while waiting.
    pub decision: Option<String>,
    pub feedback: Option<String>,
    pub decided_by_label: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<OffsetDateTime>,
    /// Seconds from submission to decision.
    pub time_to_decision_secs: Option<i64>,
    pub comments: Vec<CommentView>,
    /// The disclosure check for pages: the overall verdict and (rule, verdict, reason).
    #[serde(skip)]
    pub disclosure_overall: Option<String>,
    #[serde(skip)]
    pub disclosure_lines: Vec<(String, String, String)>,
}

/// A deliverable with everything its review needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewDetail {
    pub deliverable: DeliverableView,
    pub status_history: Vec<StatusChangeView>,
    /// Oldest first.
    pub submissions: Vec<SubmissionView>,
    /// How many times changes were requested.
    pub revision_rounds: i64,
    /// The median seconds from a submission to its decision, over decided submissions.
    pub median_time_to_decision_secs: Option<i64>,
}

/// A comment as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: Option<String>,
}

/// A share link as asked for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewLinkInput {
    /// Who it is for ("Client: Acme marketing").
    pub label: Option<String>,
    /// 1–30 days; 7 by default.
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewLinkView {
    #[schema(value_type = String, example = "rl_0193…")]
    pub id: ReviewLinkId,
    pub label: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    pub revoked: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A new share link: the secret is shown once, in `path`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewReviewLink {
    #[serde(flatten)]
    pub link: ReviewLinkView,
    /// `/review/<secret>`: prefix it with the server's address to share it.
    pub path: String,
}

fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn comment_view(r: CommentRow) -> CommentView {
    CommentView {
        id: CommentId(r.id),
        from_creator: matches!(Actor::parse(&r.author), Actor::Creator(_)),
        author_label: r.author_label,
        body: r.body,
        created_at: r.created_at,
    }
}

fn submission_view(r: SubmissionRow, comments: &[CommentRow]) -> SubmissionView {
    let disclosure: Value = serde_json::from_str(&r.disclosure).unwrap_or(Value::Null);
    let text = |v: &Value| v.as_str().unwrap_or_default().replace('_', " ");
    let disclosure_lines = disclosure["findings"]
        .as_array()
        .map(|a| a.iter().map(|f| (text(&f["rule"]), text(&f["verdict"]), text(&f["reason"]))).collect())
        .unwrap_or_default();
    SubmissionView {
        disclosure_overall: disclosure["overall"].as_str().map(|o| o.replace('_', " ")),
        disclosure_lines,
        id: SubmissionId(r.id),
        deliverable_id: DeliverableId(r.deliverable_id),
        version: r.version,
        links: list(&r.links),
        file_ids: list(&r.file_ids),
        checklist: serde_json::from_str(&r.checklist).unwrap_or_default(),
        disclosure,
        time_to_decision_secs: r.decided_at.map(|d| (d - r.submitted_at).whole_seconds()),
        comments: comments.iter().filter(|c| c.submission_id == r.id).cloned().map(comment_view).collect(),
        caption: r.caption,
        note: r.note,
        submitted_by_label: r.submitted_by_label,
        submitted_at: r.submitted_at,
        decision: r.decision,
        feedback: r.feedback,
        decided_by_label: r.decided_by_label,
        decided_at: r.decided_at,
    }
}

/// The median of some durations in seconds.
fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2 })
}

async fn detail_of(c: &mut Conn<'_>, ctx: &Ctx, row: DeliverableRow) -> AppResult<ReviewDetail> {
    let comments = store::comments_for(c, ctx.ws(), row.id).await?;
    let submissions: Vec<SubmissionView> =
        store::list_for(c, ctx.ws(), row.id).await?.into_iter().map(|s| submission_view(s, &comments)).collect();
    let status_history = history(c, ctx, row.id).await?;
    Ok(ReviewDetail {
        deliverable: view(row, now().date())?,
        status_history,
        revision_rounds: submissions.iter().filter(|s| s.decision.as_deref() == Some("changes_requested")).count()
            as i64,
        median_time_to_decision_secs: median(submissions.iter().filter_map(|s| s.time_to_decision_secs).collect()),
        submissions,
    })
}

/// A deliverable with its submissions, comments and status history.
pub async fn detail(app: &App, ctx: &Ctx, id: DeliverableId) -> AppResult<ReviewDetail> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let row = require_deliverable(&mut c, ctx, id).await?;
    detail_of(&mut c, ctx, row).await
}

/// The checklist for a new submission of this deliverable, and what its disclosure check
/// requires (the campaign's profile; its and the deliverable's hashtags and mentions; paid
/// unless the deal is gifted).
async fn checklist_for(c: &mut Conn<'_>, ctx: &Ctx, d: &DeliverableRow) -> AppResult<(Vec<String>, Requirements)> {
    let campaign = require_campaign(c, ctx, CampaignId(d.campaign_id), false).await?;
    let profile = DisclosureProfile::parse(&campaign.disclosure_profile).unwrap_or(DisclosureProfile::Us);
    let gifted = rapport_store::collaborations::get(c, ctx.ws(), d.collaboration_id)
        .await?
        .is_some_and(|l| l.fee_model == "gifted");
    let mut hashtags = list(&campaign.required_hashtags);
    hashtags.extend(hashtags_of(d));
    let mut mentions = list(&campaign.required_mentions);
    mentions.extend(mentions_of(d));
    let brief = rapport_store::briefs::latest(c, ctx.ws(), campaign.id).await?;
    let non_negotiables = rapport_core::briefs::items(brief.as_ref().and_then(|b| b.non_negotiables.as_deref()));
    let template = rapport_store::playbook::list(c, ctx.ws(), Some(TemplateKind::ReviewChecklist.slug())).await?;
    let template_items = match template.first() {
        Some(t) => {
            let fields = MergeContext { creator: CreatorFields::new(&d.creator_name, None), ..Default::default() };
            render(TemplateKind::ReviewChecklist, "", &t.body, &fields).map(|r| list_items(&r.body)).unwrap_or_default()
        }
        None => vec![],
    };
    let items = checklist(&ChecklistSources {
        non_negotiables,
        hashtags: &hashtags,
        mentions: &mentions,
        link: d.link.as_deref(),
        code: d.code.as_deref(),
        disclosure_required: d.disclosure_required,
        template_items,
    });
    let requirements = Requirements {
        required_hashtags: hashtags,
        required_mentions: mentions,
        paid: !gifted,
        ..Requirements::new(profile)
    };
    Ok((items, requirements))
}

/// The disclosure check of a caption as stored with its submission (advice, labelled so);
/// `null` without a caption or when the deliverable needs no disclosure.
fn disclosure_of(caption: Option<&str>, required: bool, req: &Requirements) -> AppResult<String> {
    let Some(caption) = caption.filter(|_| required) else { return Ok("null".into()) };
    let report = disclosure::check(caption, req);
    json(&serde_json::json!({
        "overall": report.overall,
        "findings": report.findings,
        "advice": disclosure::ADVICE_NOTE,
        "profile": req.profile.slug(),
    }))
}

/// Submits a draft: a new version, allowed while the deliverable is planned or changes
/// were requested (otherwise 409 naming where it stands). Moves it to draft submitted.
pub async fn submit(app: &App, ctx: &Ctx, id: DeliverableId, input: SubmissionInput) -> AppResult<SubmissionView> {
    ctx.require_contributor()?;
    let mut e = Invalid::new();
    let sub = e.absorb(validate_submission(&input));
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut d = require_deliverable(&mut c, ctx, id).await?;
    let file_ids = crate::files::require_all(&mut c, ctx, &mut e, "file_ids", input.file_ids.as_deref()).await?;
    let sub = e.into_result(sub)?.ok_or_else(|| AppError::Internal("submission".into()))?;
    let from = status_of(&d)?;
    if !from.allowed_next().contains(&Status::DraftSubmitted) {
        return Err(AppError::Conflict {
            message: format!(
                "a draft can be submitted while the deliverable is planned or changes were requested; it is {}",
                from.slug()
            ),
            field: Some("status".into()),
            existing: None,
        });
    }
    let (items, requirements) = checklist_for(&mut c, ctx, &d).await?;
    let version = store::list_for(&mut c, ctx.ws(), d.id).await?.last().map_or(1, |s| s.version + 1);
    let disclosure = disclosure_of(sub.caption.as_deref(), d.disclosure_required, &requirements)?;
    let row = SubmissionRow {
        id: Uuid::now_v7(),
        deliverable_id: d.id,
        version,
        caption: sub.caption,
        links: json(&sub.links)?,
        file_ids: json(&file_ids)?,
        note: sub.note,
        submitted_by: ctx.actor.to_string(),
        submitted_by_label: ctx.actor_label.clone(),
        submitted_at: now(),
        checklist: json(&items.iter().map(|i| ChecklistItem { item: i.clone(), checked: false }).collect::<Vec<_>>())?,
        disclosure,
        decision: None,
        feedback: None,
        decided_by: None,
        decided_by_label: None,
        decided_at: None,
    };
    store::insert(&mut c, ctx.ws(), &row).await?;
    set_status(&mut c, ctx, &mut d, Status::DraftSubmitted, Some(format!("version {version} submitted"))).await?;
    crate::notifications::events::submitted(&mut c, ctx, &d, &row).await?;
    tx.commit().await?;
    Ok(submission_view(row, &[]))
}

/// Decides on a submission: only the newest one of a deliverable waiting for review.
async fn decide_in(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    mut d: DeliverableRow,
    mut s: SubmissionRow,
    input: &DecisionInput,
) -> AppResult<SubmissionView> {
    let items: Vec<ChecklistItem> = serde_json::from_str(&s.checklist).unwrap_or_default();
    let names: Vec<String> = items.into_iter().map(|i| i.item).collect();
    let decided = validate_decision(input, &names)?;
    let newest = store::list_for(c, ctx.ws(), d.id).await?.last().map(|l| l.id);
    if s.decision.is_some() || newest != Some(s.id) || status_of(&d)? != Status::DraftSubmitted {
        return Err(AppError::Conflict {
            message: format!(
                "version {} is not waiting for a decision ({})",
                s.version,
                s.decision.as_deref().map_or("a newer version was submitted", |d| d)
            ),
            field: Some("decision".into()),
            existing: None,
        });
    }
    let t = now();
    s.checklist = json(&decided.checklist)?;
    s.decision = Some(decided.decision.slug().into());
    s.feedback = decided.feedback.clone();
    s.decided_by = Some(ctx.actor.to_string());
    s.decided_by_label = Some(ctx.actor_label.clone());
    s.decided_at = Some(t);
    if store::decide(c, ctx.ws(), &s).await? == 0 {
        return Err(AppError::Conflict {
            message: "someone decided on this version a moment ago".into(),
            field: Some("decision".into()),
            existing: None,
        });
    }
    let to = match decided.decision {
        Decision::Approved => Status::Approved,
        Decision::ChangesRequested => Status::ChangesRequested,
    };
    set_status(c, ctx, &mut d, to, Some(format!("version {}: {}", s.version, decided.decision.label()))).await?;
    crate::notifications::events::decided(c, ctx, &d, &s).await?;
    Ok(submission_view(s, &[]))
}

/// A team member decides on a submission.
pub async fn decide(app: &App, ctx: &Ctx, id: SubmissionId, input: DecisionInput) -> AppResult<SubmissionView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let s = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    let d = require_deliverable(&mut c, ctx, DeliverableId(s.deliverable_id)).await?;
    let out = decide_in(&mut c, ctx, d, s, &input).await?;
    tx.commit().await?;
    Ok(out)
}

/// Comments on a submission: the team, or the creator in their portal.
pub async fn comment(app: &App, ctx: &Ctx, id: SubmissionId, input: CommentInput) -> AppResult<CommentView> {
    ctx.require_contributor()?;
    let mut e = Invalid::new();
    let body = optional_text(&mut e, "body", input.body.as_deref(), rapport_core::reviews::MAX_NOTE);
    if body.is_none() && e.is_empty() {
        e.add("body", "is required");
    }
    let body = e.into_result(body)?.unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let s = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    require_deliverable(&mut c, ctx, DeliverableId(s.deliverable_id)).await?;
    let row = CommentRow {
        id: Uuid::now_v7(),
        submission_id: s.id,
        author: ctx.actor.to_string(),
        author_label: ctx.actor_label.clone(),
        body,
        created_at: now(),
    };
    store::insert_comment(&mut c, ctx.ws(), &row).await?;
    tx.commit().await?;
    Ok(comment_view(row))
}

fn link_view(r: ReviewLinkRow) -> ReviewLinkView {
    ReviewLinkView {
        id: ReviewLinkId(r.id),
        label: r.label,
        expires_at: r.expires_at,
        revoked: r.revoked_at.is_some(),
        created_at: r.created_at,
    }
}

/// Creates a share link for a deliverable's review.
pub async fn create_link(app: &App, ctx: &Ctx, id: DeliverableId, input: ReviewLinkInput) -> AppResult<NewReviewLink> {
    ctx.require_write()?;
    let mut e = Invalid::new();
    let label = optional_text(&mut e, "label", input.label.as_deref(), 200);
    let days = input.expires_in_days.unwrap_or(LINK_DAYS);
    if !(1..=MAX_LINK_DAYS).contains(&days) {
        e.add("expires_in_days", format!("must be between 1 and {MAX_LINK_DAYS}"));
    }
    e.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let d = require_deliverable(&mut c, ctx, id).await?;
    let token = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let t = now();
    let row = ReviewLinkRow {
        id: Uuid::now_v7(),
        workspace_id: ctx.ws(),
        deliverable_id: d.id,
        label,
        expires_at: t + Duration::days(days),
        revoked_at: None,
        created_by: ctx.actor.to_string(),
        created_at: t,
    };
    store::insert_link(&mut c, &row, tokens::hash(&token)).await?;
    tx.commit().await?;
    Ok(NewReviewLink { link: link_view(row), path: format!("/review/{token}") })
}

/// A deliverable's share links, newest first.
pub async fn links(app: &App, ctx: &Ctx, id: DeliverableId) -> AppResult<Vec<ReviewLinkView>> {
    ctx.require_write()?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let d = require_deliverable(&mut c, ctx, id).await?;
    Ok(store::links_for(&mut c, ctx.ws(), d.id).await?.into_iter().map(link_view).collect())
}

/// Revokes a share link at once.
pub async fn revoke_link(app: &App, ctx: &Ctx, id: ReviewLinkId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if store::revoke_link(&mut c, ctx.ws(), id.0, now()).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The context a share link grants: its workspace, acting as the link, on one deliverable.
struct LinkGrant {
    ctx: Ctx,
    deliverable: Uuid,
}

/// Opens a share link: unknown secrets are 404; expired or revoked ones say so (401).
async fn grant(c: &mut Conn<'_>, token: &str) -> AppResult<LinkGrant> {
    let link = store::link_by_hash(c, tokens::hash(token)).await?.ok_or(AppError::NotFound)?;
    if link.revoked_at.is_some() {
        return Err(AppError::Unauthorized("this review link was revoked; ask the team for a new one".into()));
    }
    if link.expires_at <= now() {
        return Err(AppError::Unauthorized("this review link has expired; ask the team for a new one".into()));
    }
    let ctx = Ctx {
        workspace_id: WorkspaceId(link.workspace_id),
        actor: Actor::ReviewLink(ReviewLinkId(link.id)),
        actor_label: link.label.clone().unwrap_or_else(|| "External reviewer".into()),
        role: Role::Viewer,
        scope: crate::Scope::Read,
    };
    Ok(LinkGrant { ctx, deliverable: link.deliverable_id })
}

/// The review a share link shows.
pub async fn detail_by_link(app: &App, token: &str) -> AppResult<ReviewDetail> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let g = grant(&mut c, token).await?;
    let row = rapport_store::deliverables::get(&mut c, g.ctx.ws(), g.deliverable).await?.ok_or(AppError::NotFound)?;
    detail_of(&mut c, &g.ctx, row).await
}

/// A file of one of the drafts a share link shows; any other is a 404.
pub async fn file_by_link(
    app: &App,
    token: &str,
    id: rapport_core::ids::FileId,
) -> AppResult<(crate::files::FileView, Vec<u8>)> {
    let g = {
        let mut r = app.db.read().await?;
        let mut c = r.conn();
        let g = grant(&mut c, token).await?;
        if !store::file_in_deliverable(&mut c, g.ctx.ws(), g.deliverable, &id.to_string()).await? {
            return Err(AppError::NotFound);
        }
        g
    };
    crate::files::read(app, &g.ctx, id).await
}

/// A decision through a share link: the reviewer names themself.
pub async fn decide_by_link(
    app: &App,
    token: &str,
    id: SubmissionId,
    input: DecisionInput,
) -> AppResult<SubmissionView> {
    let mut e = Invalid::new();
    let name = optional_text(&mut e, "reviewer_name", input.reviewer_name.as_deref(), 200);
    if name.is_none() && e.is_empty() {
        e.add("reviewer_name", "is required: say who is deciding");
    }
    let name = e.into_result(name)?.unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut g = grant(&mut c, token).await?;
    g.ctx.actor_label = format!("{name} (review link)");
    let s = store::get(&mut c, g.ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    if s.deliverable_id != g.deliverable {
        return Err(AppError::NotFound);
    }
    let d = rapport_store::deliverables::get(&mut c, g.ctx.ws(), g.deliverable).await?.ok_or(AppError::NotFound)?;
    let out = decide_in(&mut c, &g.ctx, d, s, &input).await?;
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_decision_times() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![30, 10, 20]), Some(20));
        assert_eq!(median(vec![10, 20, 40, 30]), Some(25));
    }
}
