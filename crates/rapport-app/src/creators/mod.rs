//! Creators: create, read, update (JSON merge patch over the editable fields), soft delete
//! and restore. Duplicates (same email, same platform + handle) are refused with a 409 that
//! names the existing creator. The list query lives in [`query`].

pub mod cache;
pub(crate) mod listed;
mod query;
pub use listed::Listed;
pub use query::*;

use crate::App;
use crate::accounts::AccountView;
use crate::context::Ctx;
use crate::error::{AppError, AppResult, Existing};
use crate::insights::Insights;
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::creators::{self as domain, AccountDraft, ContactInput, CreatorDraft, CreatorInput};
use rapport_core::diff;
use rapport_core::ids::{CreatorId, UserId};
use rapport_core::tier::Tier;
use rapport_store::creators::{self as store, CreatorRow};
use rapport_store::{Conn, accounts, users};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// A contact point as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub kind: String,
    pub value: String,
    pub primary: bool,
}

/// A creator as the API returns it and the pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatorView {
    #[schema(value_type = String, example = "cr_0193…")]
    pub id: CreatorId,
    pub display_name: String,
    pub legal_name: Option<String>,
    pub pronouns: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: Vec<String>,
    pub timezone: Option<String>,
    pub bio: Option<String>,
    pub niches: Vec<String>,
    pub tags: Vec<String>,
    pub tone_notes: Option<String>,
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    /// A stage slug of the workspace (see `GET /pipeline/stages`).
    pub stage: String,
    pub stage_label: String,
    /// When the creator entered its current stage.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub stage_entered_at: OffsetDateTime,
    /// "in Negotiating for 12 days".
    pub time_in_stage: String,
    pub do_not_contact: bool,
    pub source: Option<String>,
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    pub contact_points: Vec<ContactView>,
    pub primary_email: Option<String>,
    pub social_accounts: Vec<AccountView>,
    /// The largest following across accounts (0 when none reports one).
    pub max_followers: i64,
    /// Tier by the largest following: nano < 10 k ≤ micro < 100 k ≤ mid < 500 k ≤ macro < 1 M ≤ mega;
    /// absent when no account reports a following.
    #[schema(value_type = Option<String>)]
    pub tier: Option<Tier>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
    /// The next-touch cadence: reach out every N days (absent: no cadence). The due day is
    /// in `GET /creators/{id}/responsiveness`.
    pub touch_every_days: Option<i64>,
    /// The fit score (0–100), present in a listing sorted by fit (the score it is sorted by)
    /// and in exports; a creator read alone explains it in `insights`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit_score: Option<u8>,
    /// The fit score and quality flags; present when one creator is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insights: Option<Insights>,
}

impl CreatorView {
    /// The primary email, or the first phone, website, … — what forms and exports show.
    pub fn first_contact(&self, kind: &str) -> Option<&str> {
        self.contact_points.iter().find(|p| p.kind == kind && (kind != "email" || p.primary)).map(|p| p.value.as_str())
    }
}

/// The creator with this id in the caller's workspace, or 404.
pub async fn require_creator(c: &mut Conn<'_>, ctx: &Ctx, id: CreatorId, allow_deleted: bool) -> AppResult<CreatorRow> {
    match store::get(c, ctx.ws(), id.0).await? {
        Some(r) if allow_deleted || r.deleted_at.is_none() => Ok(r),
        _ => Err(AppError::NotFound),
    }
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// The creators with these ids in the caller's workspace (deleted ones too), in the order
/// of `ids`; an id of no such creator is left out.
pub async fn views_by_id(app: &App, ctx: &Ctx, ids: &[Uuid]) -> AppResult<Vec<CreatorView>> {
    let mut r = app.db.read().await?;
    let settings = crate::settings::load(&mut r.conn(), ctx).await?;
    let loaded = load_in_order(&mut r.conn(), ctx, ids).await?;
    views_of_loaded(&mut r.conn(), ctx, &settings, loaded).await
}

/// The creators with these ids in the caller's workspace (deleted ones too), each with its
/// relations, in the order of `ids` (an id of no such creator is left out): one statement.
pub(crate) async fn load_in_order(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    ids: &[Uuid],
) -> AppResult<Vec<(CreatorRow, store::Relations)>> {
    let mut by_id: HashMap<Uuid, (CreatorRow, store::Relations)> =
        store::get_many_with_relations(c, ctx.ws(), ids).await?.into_iter().map(|l| (l.0.id, l)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// [`load_in_order`] through the search index's creator cache ([`cache`]): for a request that
/// found the index caught up with the change log as the request read it.
pub(crate) async fn load_in_order_cached(
    app: &App,
    c: &mut Conn<'_>,
    ctx: &Ctx,
    ids: &[Uuid],
) -> AppResult<Vec<Arc<cache::Loaded>>> {
    let Some(cache) = app.search.as_ref().map(|s| &s.creators) else {
        return Ok(cache::Loaded::shared(load_in_order(c, ctx, ids).await?));
    };
    let (mut found, start) = cache.get(ctx.ws(), ids);
    let missing: Vec<Uuid> = ids.iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(id, _)| *id).collect();
    if !missing.is_empty() {
        let loaded = cache::Loaded::shared(load_in_order(c, ctx, &missing).await?);
        cache.put(start, ctx.ws(), &loaded);
        let mut loaded: HashMap<Uuid, Arc<cache::Loaded>> = loaded.into_iter().map(|l| (l.row.id, l)).collect();
        for (slot, id) in found.iter_mut().zip(ids) {
            if slot.is_none() {
                *slot = loaded.remove(id);
            }
        }
    }
    Ok(found.into_iter().flatten().collect())
}

/// Builds views for rows, loading contacts, tags, accounts and owners in batches.
pub(crate) async fn views(c: &mut Conn<'_>, ctx: &Ctx, rows: Vec<CreatorRow>) -> AppResult<Vec<CreatorView>> {
    let settings = crate::settings::load(c, ctx).await?;
    views_with(c, ctx, &settings, rows).await
}

/// [`views`] with the workspace settings the caller has already loaded.
pub(crate) async fn views_with(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    settings: &crate::settings::WorkspaceSettings,
    rows: Vec<CreatorRow>,
) -> AppResult<Vec<CreatorView>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let loaded = with_relations(c, ctx, rows).await?;
    views_of_loaded(c, ctx, settings, loaded).await
}

/// Each row with its relations (one statement).
pub(crate) async fn with_relations(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    rows: Vec<CreatorRow>,
) -> AppResult<Vec<(CreatorRow, store::Relations)>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut relations = store::relations(c, ctx.ws(), &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = relations.remove(&r.id).unwrap_or_default();
            (r, mine)
        })
        .collect())
}

/// Views of creators loaded with their relations; reads the members only when a creator
/// has an owner (the stage entry times came with the rows).
pub(crate) async fn views_of_loaded(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    settings: &crate::settings::WorkspaceSettings,
    loaded: Vec<(CreatorRow, store::Relations)>,
) -> AppResult<Vec<CreatorView>> {
    let around = listed::Surroundings::read(c, ctx, settings, loaded.iter().map(|(r, _)| r)).await?;
    Ok(loaded
        .into_iter()
        .map(|(row, relations)| {
            let circumstances = around.of(&row, &relations, None);
            listed::view_of(row, relations, &circumstances)
        })
        .collect())
}

async fn view_one(c: &mut Conn<'_>, ctx: &Ctx, row: CreatorRow) -> AppResult<CreatorView> {
    views(c, ctx, vec![row]).await?.pop().ok_or(AppError::NotFound)
}

pub async fn get(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<CreatorView> {
    let mut r = app.db.read().await?;
    let row = require_creator(&mut r.conn(), ctx, id, true).await?;
    view_one(&mut r.conn(), ctx, row).await
}

/// A creator with its fit score and quality flags.
pub async fn get_with_insights(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<CreatorView> {
    let mut r = app.db.read().await?;
    let row = require_creator(&mut r.conn(), ctx, id, true).await?;
    let mut v = view_one(&mut r.conn(), ctx, row).await?;
    let settings = crate::settings::load(&mut r.conn(), ctx).await?;
    v.insights = Some(crate::insights::for_creator(&mut r.conn(), ctx, (&settings, &app.bands), &v).await?);
    Ok(v)
}

/// The editable fields of a stored creator, in input form (the base for a merge patch and
/// the "before" side of a timeline diff).
pub fn editable(v: &CreatorView) -> CreatorInput {
    let opt = |s: &Option<String>| s.clone();
    CreatorInput {
        display_name: Some(v.display_name.clone()),
        legal_name: opt(&v.legal_name),
        pronouns: opt(&v.pronouns),
        country: opt(&v.country),
        city: opt(&v.city),
        languages: Some(v.languages.clone()),
        timezone: opt(&v.timezone),
        bio: opt(&v.bio),
        niches: Some(v.niches.clone()),
        tags: Some(v.tags.clone()),
        tone_notes: opt(&v.tone_notes),
        owner_id: v.owner_id.map(|o| o.to_string()),
        stage: Some(v.stage.clone()),
        do_not_contact: Some(v.do_not_contact),
        source: opt(&v.source),
        custom_fields: Some(v.custom_fields.clone()),
        contact_points: Some(
            v.contact_points
                .iter()
                .map(|p| ContactInput { kind: Some(p.kind.clone()), value: Some(p.value.clone()), primary: p.primary })
                .collect(),
        ),
        touch_every_days: v.touch_every_days,
        social_accounts: None,
    }
}

/// The JSON shape of a creator in timeline diffs.
pub(crate) fn creator_json(d: &CreatorDraft) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("owner_id".into(), d.owner_id.map(|u| u.to_string()).into());
    }
    v
}

/// Checks the owner is a member of the workspace.
async fn check_owner(c: &mut Conn<'_>, ctx: &Ctx, d: &CreatorDraft) -> AppResult<()> {
    if let Some(owner) = d.owner_id
        && users::role_of(c, ctx.ws(), owner.0).await?.is_none()
    {
        return Err(Invalid::one("owner_id", "is not a member of this workspace").into());
    }
    Ok(())
}

fn existing(h: store::Holder) -> Existing {
    Existing { id: CreatorId(h.id).to_string(), display_name: h.display_name, deleted: h.deleted_at.is_some() }
}

fn duplicate(what: &str, field: String, h: store::Holder) -> AppError {
    let deleted = if h.deleted_at.is_some() { " (deleted — restore it instead)" } else { "" };
    AppError::Conflict {
        message: format!("{what} already belongs to {} ({}){deleted}", h.display_name, CreatorId(h.id)),
        field: Some(field),
        existing: Some(existing(h)),
    }
}

/// Refuses contact points or accounts that another creator already holds.
async fn check_duplicates(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    d: &CreatorDraft,
    accounts: &[AccountDraft],
    this: Option<Uuid>,
) -> AppResult<()> {
    for (i, p) in d.contact_points.iter().enumerate() {
        if let Some(h) = store::holder_of_contact(c, ctx.ws(), &p.kind, &p.normalized).await?
            && Some(h.id) != this
        {
            let what = if p.kind == "email" {
                format!("The email {}", p.value)
            } else {
                format!("The {} {}", p.kind, p.value)
            };
            return Err(duplicate(&what, format!("contact_points.{i}.value"), h));
        }
    }
    for (i, a) in accounts.iter().enumerate() {
        if let Some((_, h)) = accounts::holder_of_handle(c, ctx.ws(), a.platform.slug(), &a.handle.normalized).await? {
            return Err(duplicate(
                &format!("The {} account @{}", a.platform.label(), a.handle.display),
                format!("social_accounts.{i}.handle"),
                h,
            ));
        }
    }
    Ok(())
}

/// Validates the accounts given with a new creator, refusing repeats within the input.
fn validate_accounts(input: &CreatorInput, errors: &mut Invalid) -> Vec<AccountDraft> {
    let t = now();
    let mut out: Vec<AccountDraft> = Vec::new();
    for (i, a) in input.social_accounts.as_deref().unwrap_or(&[]).iter().enumerate() {
        let prefix = format!("social_accounts.{i}.");
        match domain::validate_account(a, &prefix, t) {
            Ok(d) => {
                if out.iter().any(|o| o.platform == d.platform && o.handle.normalized == d.handle.normalized) {
                    errors.add(format!("{prefix}handle"), "is listed twice");
                } else {
                    out.push(d);
                }
            }
            Err(e) => errors.errors.extend(e.errors),
        }
    }
    out
}

/// Checks an input without storing anything: every problem, by field.
pub fn check(input: &CreatorInput) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    if let Err(e) = domain::validate(input) {
        errors.errors.extend(e.errors);
    }
    validate_accounts(input, &mut errors);
    errors.into_result(())
}

/// Validates a creator for the caller's workspace: the domain rules, and a stage that is
/// one of the workspace's (the first stage when none is given). Problems go to `errors`.
async fn validate_for(
    app: &App,
    ctx: &Ctx,
    input: &CreatorInput,
    errors: &mut Invalid,
) -> AppResult<Option<CreatorDraft>> {
    let stages = crate::pipeline::stages(app, ctx).await?;
    let mut draft = domain::validate(input).map_err(|e| errors.errors.extend(e.errors)).ok();
    let stage = crate::pipeline::check_stage(&stages, input.stage.as_deref(), errors);
    if let (Some(d), Some(stage)) = (draft.as_mut(), stage) {
        d.stage = stage;
    }
    Ok(draft)
}

/// Creates a creator and any accounts given with it, in one transaction.
pub async fn create(app: &App, ctx: &Ctx, input: CreatorInput) -> AppResult<CreatorView> {
    ctx.require_write()?;
    let mut errors = Invalid::new();
    let draft = validate_for(app, ctx, &input, &mut errors).await?;
    let account_drafts = validate_accounts(&input, &mut errors);
    let draft = errors.into_result(draft)?.ok_or_else(|| AppError::Internal("draft missing".into()))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    check_owner(&mut c, ctx, &draft).await?;
    check_duplicates(&mut c, ctx, &draft, &account_drafts, None).await?;
    let id = CreatorId::new();
    let t = now();
    store::insert(&mut c, ctx.ws(), id.0, &draft, &ctx.actor.to_string(), t).await?;
    for a in &account_drafts {
        accounts::insert(&mut c, ctx.ws(), id.0, Uuid::now_v7(), a, t).await?;
    }
    store::refresh_derived(&mut c, ctx.ws(), id.0).await?;
    crate::pipeline::record(&mut c, ctx, id.0, None, &draft.stage, None).await?;
    let mut after = creator_json(&draft);
    if !account_drafts.is_empty() {
        let handles: Vec<String> =
            account_drafts.iter().map(|a| format!("{}:@{}", a.platform.slug(), a.handle.display)).collect();
        if let Some(o) = after.as_object_mut() {
            o.insert("social_accounts".into(), handles.into());
        }
    }
    timeline::record(&mut c, ctx, id.0, "creator.created", diff::changes(&Value::Null, &after)).await?;
    let row = require_creator(&mut c, ctx, id, false).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    tracing::info!(creator = %id, "creator created");
    Ok(view)
}

/// Replaces the editable fields with `input` (fields left `None` are cleared).
pub async fn replace(app: &App, ctx: &Ctx, id: CreatorId, input: CreatorInput) -> AppResult<CreatorView> {
    write(app, ctx, id, input, None).await
}

/// [`replace`], with the reason of a stage change for its history.
pub(crate) async fn write(
    app: &App,
    ctx: &Ctx,
    id: CreatorId,
    input: CreatorInput,
    reason: Option<&str>,
) -> AppResult<CreatorView> {
    ctx.require_write()?;
    if input.social_accounts.is_some() {
        return Err(
            Invalid::one("social_accounts", "accounts are changed through /creators/{id}/accounts, not here").into()
        );
    }
    let mut errors = Invalid::new();
    let draft = validate_for(app, ctx, &input, &mut errors).await?;
    let draft = errors.into_result(draft)?.ok_or_else(|| AppError::Internal("draft missing".into()))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = require_creator(&mut c, ctx, id, false).await?;
    let stage_before = row.stage.clone();
    let before = view_one(&mut c, ctx, row).await?;
    let before = domain::validate(&editable(&before)).map(|d| creator_json(&d)).unwrap_or(Value::Null);
    check_owner(&mut c, ctx, &draft).await?;
    check_duplicates(&mut c, ctx, &draft, &[], Some(id.0)).await?;
    let changes = diff::changes(&before, &creator_json(&draft));
    if !changes.is_empty() {
        store::update(&mut c, ctx.ws(), id.0, &draft, now()).await?;
        store::refresh_derived(&mut c, ctx.ws(), id.0).await?;
        timeline::record(&mut c, ctx, id.0, "creator.updated", changes).await?;
        crate::pipeline::record(&mut c, ctx, id.0, Some(&stage_before), &draft.stage, reason).await?;
    }
    let row = require_creator(&mut c, ctx, id, false).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    Ok(view)
}

/// Applies a JSON merge patch (RFC 7396) to the editable fields.
pub async fn patch(app: &App, ctx: &Ctx, id: CreatorId, patch: Value) -> AppResult<CreatorView> {
    ctx.require_write()?;
    let Value::Object(patch) = patch else {
        return Err(Invalid::one("body", "must be a JSON object").into());
    };
    let current = get(app, ctx, id).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    let mut merged = serde_json::to_value(editable(&current)).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(obj) = merged.as_object_mut() {
        for (k, v) in patch {
            obj.insert(k, v);
        }
    }
    let input = parse_json::<CreatorInput>(merged)?;
    replace(app, ctx, id, input).await
}

/// Deserialises JSON into an input type, naming the offending field on failure.
pub fn parse_json<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T, Invalid> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let path = path.replace('[', ".").replace(']', "");
        let field = if path == "." || path.is_empty() { "body".to_string() } else { path };
        let inner = e.into_inner().to_string();
        if let Some(rest) = inner.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("");
            let field = if field == "body" { name.to_string() } else { format!("{field}.{name}") };
            return Invalid::one(field, "is required");
        }
        let message = match inner.split_once("unknown field `") {
            Some((_, rest)) => {
                let name = rest.split('`').next().unwrap_or("");
                return Invalid::one(name, "is not a known field");
            }
            None => inner,
        };
        Invalid::one(field, message)
    })
}

/// Soft-deletes a creator; it can be restored.
pub async fn delete(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<()> {
    set_deleted(app, ctx, id, true).await
}

pub async fn restore(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<CreatorView> {
    set_deleted(app, ctx, id, false).await?;
    get(app, ctx, id).await
}

async fn set_deleted(app: &App, ctx: &Ctx, id: CreatorId, delete: bool) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = require_creator(&mut c, ctx, id, true).await?;
    if row.deleted_at.is_some() == delete {
        return if delete { Err(AppError::NotFound) } else { Ok(()) };
    }
    let t = now();
    store::set_deleted(&mut c, ctx.ws(), id.0, delete.then_some(t), t).await?;
    let action = if delete { "creator.deleted" } else { "creator.restored" };
    timeline::record(&mut c, ctx, id.0, action, vec![]).await?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    Ok(())
}
