//! The relationship pipeline: the workspace's stages (kept in its settings), each
//! creator's stage history — written in the transaction of every stage change, wherever it
//! happens — moving a creator to another stage or into the do-not-contact column, and time
//! in stage. The board is in [`board`], the conversion report in [`report`].

mod board;
mod report;
pub use board::*;
pub use report::*;

use crate::App;
use crate::context::Ctx;
use crate::creators::{self, CreatorView, require_creator};
use crate::error::AppResult;
use crate::settings;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::ids::CreatorId;
use rapport_core::pipeline::{self as domain, DO_NOT_CONTACT, StageInput, StageKind, Stages};
use rapport_core::validation::optional_text;
use rapport_store::Conn;
use rapport_store::imports::CreatorSnapshot;
use rapport_store::stage_changes::{self as store, StageChangeRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// A stage of the workspace with how many creators are in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub slug: String,
    pub label: String,
    pub kind: StageKind,
    /// Live creators in the stage.
    pub creators: i64,
    /// Deleted creators in the stage (they come back to it when restored).
    pub deleted_creators: i64,
}

/// The workspace's stages: main stages in funnel order, then side stages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageList {
    pub stages: Vec<StageView>,
}

/// `PUT /pipeline/stages`: the whole new list, in order.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StagesInput {
    pub stages: Option<Vec<StageInput>>,
}

fn list_view(stages: &Stages, counts: &[(String, i64, i64)]) -> StageList {
    let count =
        |slug: &str| counts.iter().find(|(s, ..)| s == slug).map_or((0, 0), |(_, live, all)| (*live, all - live));
    StageList {
        stages: stages
            .all()
            .iter()
            .map(|s| {
                let (live, deleted) = count(&s.slug);
                StageView {
                    slug: s.slug.clone(),
                    label: s.label.clone(),
                    kind: s.kind,
                    creators: live,
                    deleted_creators: deleted,
                }
            })
            .collect(),
    }
}

/// The workspace's stages.
pub async fn stage_list(app: &App, ctx: &Ctx) -> AppResult<StageList> {
    let mut r = app.db.read().await?;
    let stages = settings::load(&mut r.conn(), ctx).await?.stages;
    let counts = rapport_store::creators::stage_counts(&mut r.conn(), ctx.ws()).await?;
    Ok(list_view(&stages, &counts))
}

/// The stages of the caller's workspace.
pub async fn stages(app: &App, ctx: &Ctx) -> AppResult<Stages> {
    Ok(settings::get(app, ctx).await?.stages)
}

fn creators_text(n: i64) -> String {
    if n == 1 { "1 creator".into() } else { format!("{n} creators") }
}

/// Replaces the stage list (owners, admins and write API keys): labels, order, new and
/// removed stages. A stage with creators in it — deleted ones too — cannot be removed.
pub async fn set_stages(app: &App, ctx: &Ctx, input: StagesInput) -> AppResult<StageList> {
    ctx.require_configure()?;
    let new = Stages::from_input(input.stages.as_deref().unwrap_or_default())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut s = settings::load(&mut c, ctx).await?;
    let counts = rapport_store::creators::stage_counts(&mut c, ctx.ws()).await?;
    let mut e = Invalid::new();
    for old in s.stages.all().iter().filter(|old| new.get(&old.slug).is_none()) {
        if let Some((_, live, all)) = counts.iter().find(|(slug, ..)| *slug == old.slug).filter(|(.., all)| *all > 0) {
            let deleted = if all > live { format!(", {} of them deleted", all - live) } else { String::new() };
            e.add(
                "stages",
                format!(
                    "{} ({}) still has {}{deleted}: move them to another stage before removing it",
                    old.label,
                    old.slug,
                    creators_text(*all)
                ),
            );
        }
    }
    e.into_result(())?;
    s.stages = new;
    settings::write(&mut c, ctx, &s).await?;
    tx.commit().await?;
    tracing::info!(stages = s.stages.all().len(), "pipeline stages changed");
    Ok(list_view(&s.stages, &counts))
}

/// The slug of the stage `raw` names (a slug or a label; the first stage when blank). When
/// it is not one of the workspace's, `stage` is named in `errors` (unless the shape check
/// already did) with the allowed values.
pub(crate) fn check_stage(stages: &Stages, raw: Option<&str>, errors: &mut Invalid) -> Option<String> {
    match stages.resolve(raw) {
        Ok(slug) => Some(slug.to_owned()),
        Err(m) => {
            if errors.message_for("stage").is_none() {
                errors.add("stage", m);
            }
            None
        }
    }
}

/// Appends the change from `before` (`None` for a new creator) to `after` to the creator's
/// stage history, unless the stage stayed the same; in the caller's transaction.
pub(crate) async fn record(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    creator: Uuid,
    before: Option<&str>,
    after: &str,
    reason: Option<&str>,
) -> AppResult<()> {
    if let Some(row) = change(ctx, creator, before, after, reason) {
        store::insert(c, ctx.ws(), &row).await?;
    }
    Ok(())
}

/// The history row of a stage change (none when the stage stays), to insert one by one
/// with [`record`] or many at once.
pub(crate) fn change(
    ctx: &Ctx,
    creator: Uuid,
    before: Option<&str>,
    after: &str,
    reason: Option<&str>,
) -> Option<StageChangeRow> {
    (before != Some(after)).then(|| StageChangeRow {
        id: Uuid::now_v7(),
        creator_id: creator,
        from_stage: before.map(str::to_owned),
        to_stage: after.to_owned(),
        actor: ctx.actor.to_string(),
        actor_label: ctx.actor_label.clone(),
        reason: reason.map(str::to_owned),
        changed_at: now(),
    })
}

/// After a creator was put back from `snapshot` (undoing an import or a merge). A snapshot
/// carries the stage history, restored with it; one taken before stage history existed
/// left the history as it was, so the change back to the snapshot's stage is appended.
pub(crate) async fn after_restore(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    snapshot: &CreatorSnapshot,
    stage_before: Option<&str>,
) -> AppResult<()> {
    if snapshot.stage_changes.is_none() {
        record(c, ctx, snapshot.creator.id, stage_before, &snapshot.creator.stage, None).await?;
    }
    Ok(())
}

/// `POST /creators/{id}/stage`: where to move the creator.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// A stage (slug or label), or `do_not_contact` to mark the creator do-not-contact.
    pub stage: Option<String>,
    /// Why, kept in the stage history (up to 500 characters).
    pub reason: Option<String>,
}

/// Moves a live creator to a stage — which also clears its do-not-contact flag, as moving
/// a card out of that column does — or, with `do_not_contact`, sets the flag and keeps the
/// stage. The change goes to the timeline and, when the stage changes, to its history.
pub async fn move_creator(app: &App, ctx: &Ctx, id: CreatorId, input: MoveInput) -> AppResult<CreatorView> {
    ctx.require_write()?;
    let current = creators::get(app, ctx, id).await?;
    if current.deleted_at.is_some() {
        return Err(crate::AppError::NotFound);
    }
    let stages = stages(app, ctx).await?;
    let mut e = Invalid::new();
    let reason = optional_text(&mut e, "reason", input.reason.as_deref(), 500);
    let mut edit = creators::editable(&current);
    match input.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(DO_NOT_CONTACT) => edit.do_not_contact = Some(true),
        Some(target) => match stages.find(target) {
            Some(s) => {
                edit.stage = Some(s.slug.clone());
                edit.do_not_contact = Some(false);
            }
            None => e.add("stage", format!("{}, or {DO_NOT_CONTACT}", stages.not_one_of())),
        },
        None => e.add("stage", format!("is required: {}, or {DO_NOT_CONTACT}", stages.not_one_of())),
    }
    e.into_result(())?;
    creators::write(app, ctx, id, edit, reason.as_deref()).await
}

/// One change in a creator's stage history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageChangeView {
    /// `None` for the stage the creator started in.
    pub from_stage: Option<String>,
    pub from_label: Option<String>,
    pub to_stage: String,
    pub to_label: String,
    /// Who changed it: `user:…`, `api_key:…`, `import`, `system`.
    pub actor: String,
    pub actor_label: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: OffsetDateTime,
    /// Whole days spent in `to_stage`: until the next change, or until now.
    pub days_in_stage: i64,
}

/// Every stage change of a creator, newest first. (The creator itself carries its stage,
/// since when and the time in it.)
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageHistory {
    pub items: Vec<StageChangeView>,
}

/// The stage history of a creator of the workspace (a deleted one too).
pub async fn history(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<StageHistory> {
    let mut r = app.db.read().await?;
    require_creator(&mut r.conn(), ctx, id, true).await?;
    let stages = settings::load(&mut r.conn(), ctx).await?.stages;
    let rows = store::for_creators(&mut r.conn(), ctx.ws(), &[id.0]).await?;
    let t = now();
    let ends = rows.iter().skip(1).map(|n| n.changed_at).chain(std::iter::once(t));
    let mut items: Vec<StageChangeView> = rows
        .iter()
        .zip(ends)
        .map(|(row, until)| StageChangeView {
            from_label: row.from_stage.as_deref().map(|s| stages.label(s).to_owned()),
            from_stage: row.from_stage.clone(),
            to_label: stages.label(&row.to_stage).to_owned(),
            to_stage: row.to_stage.clone(),
            actor: row.actor.clone(),
            actor_label: row.actor_label.clone(),
            reason: row.reason.clone(),
            changed_at: row.changed_at,
            days_in_stage: domain::days_between(row.changed_at, until),
        })
        .collect();
    items.reverse();
    Ok(StageHistory { items })
}
