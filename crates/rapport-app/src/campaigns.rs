//! Campaigns: create, list (by status, or the deleted ones), show with the team and the
//! budget (committed and remaining, one definition in `rapport_core::campaigns::budget`),
//! patch, move through the status lifecycle, soft delete and restore.

use crate::App;
use crate::context::Ctx;
use crate::creators::parse_json;
use crate::error::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::campaigns::{self as core, CampaignInput, DisclosureProfile, Status};
use rapport_core::collaborations::Stage;
use rapport_core::ids::{CampaignId, UserId};
use rapport_core::money::{Currency, Money};
use rapport_store::campaigns::{self as store, CampaignRow, ListFilter};
use rapport_store::{Conn, collaborations, users, workspaces};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// A member on a campaign's team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    #[schema(value_type = String, example = "usr_0193…")]
    pub id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    #[schema(value_type = String, example = "cp_0193…")]
    pub id: CampaignId,
    pub name: String,
    pub objective: Option<String>,
    /// `draft`, `active`, `completed` or `archived`.
    pub status: String,
    pub status_label: String,
    /// The statuses it may move to next.
    pub allowed_statuses: Vec<String>,
    #[schema(example = "2026-06-01")]
    pub starts_on: Option<String>,
    #[schema(example = "2026-08-31")]
    pub ends_on: Option<String>,
    /// ISO 4217: every amount of the campaign and its collaborations is in it.
    pub currency: String,
    /// Minor units; absent when no budget is set.
    pub budget_minor: Option<i64>,
    /// Σ agreed fees of the collaborations that are not declined or cancelled.
    pub committed_minor: i64,
    /// Budget − committed (negative when over budget); absent without a budget.
    pub remaining_minor: Option<i64>,
    /// `us`, `uk` or `eu_de`.
    pub disclosure_profile: String,
    pub required_hashtags: Vec<String>,
    pub required_mentions: Vec<String>,
    pub tags: Vec<String>,
    pub team: Vec<TeamMember>,
    /// How many collaborations (with live creators) it has.
    pub collaborations: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
}

/// An amount in minor units of `currency`, written for people ("1250.00 EUR").
pub fn money_text(minor: i64, currency: &str) -> String {
    Currency::parse(currency).map(|c| Money::new(minor, c).to_string()).unwrap_or_else(|_| minor.to_string())
}

/// Which campaigns a list shows, as they arrive in a query string.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CampaignQuery {
    /// `draft`, `active`, `completed` or `archived`; all when absent.
    pub status: Option<String>,
    /// `true` lists deleted campaigns instead.
    pub deleted: Option<bool>,
}

/// A status change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// `active`, `completed` or `archived` — one step after the current status.
    pub status: Option<String>,
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn to_json(v: &[String]) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

/// The currency of a stored campaign.
pub fn currency_of(r: &CampaignRow) -> AppResult<Currency> {
    Currency::parse(&r.currency).map_err(|e| AppError::Internal(format!("stored currency: {e}")))
}

/// A campaign of the caller's workspace; deleted ones only when `allow_deleted`.
pub async fn require_campaign(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    id: CampaignId,
    allow_deleted: bool,
) -> AppResult<CampaignRow> {
    match store::get(c, ctx.ws(), id.0).await? {
        Some(r) if allow_deleted || r.deleted_at.is_none() => Ok(r),
        _ => Err(AppError::NotFound),
    }
}

/// The status of a stored campaign.
pub fn status_of(r: &CampaignRow) -> AppResult<Status> {
    Status::parse(&r.status).ok_or_else(|| AppError::Internal(format!("stored status {}", r.status)))
}

async fn views(c: &mut Conn<'_>, ctx: &Ctx, rows: Vec<CampaignRow>) -> AppResult<Vec<CampaignView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let team = store::members(c, ctx.ws(), &ids).await?;
    let fees = collaborations::fees(c, ctx.ws(), &ids).await?;
    let members = users::list_members(c, ctx.ws()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let currency = currency_of(&r)?;
        let mine: Vec<(Stage, Option<Money>)> = fees
            .iter()
            .filter(|(cp, _, _)| *cp == r.id)
            .map(|(_, stage, fee)| {
                (Stage::parse(stage).unwrap_or(Stage::Invited), fee.map(|f| Money::new(f, currency)))
            })
            .collect();
        let budget = core::budget(r.budget_minor, currency, &mine).map_err(|e| AppError::Internal(e.to_string()))?;
        let status = status_of(&r)?;
        out.push(CampaignView {
            id: CampaignId(r.id),
            status: status.slug().into(),
            status_label: status.label().into(),
            allowed_statuses: status.allowed_next().iter().map(|s| s.slug().to_string()).collect(),
            starts_on: r.starts_on.map(|d| d.to_string()),
            ends_on: r.ends_on.map(|d| d.to_string()),
            budget_minor: r.budget_minor,
            committed_minor: budget.committed.minor,
            remaining_minor: budget.remaining.map(|m| m.minor),
            disclosure_profile: r.disclosure_profile,
            required_hashtags: json_list(&r.required_hashtags),
            required_mentions: json_list(&r.required_mentions),
            tags: json_list(&r.tags),
            team: members
                .iter()
                .filter(|m| team.iter().any(|(cp, u)| *cp == r.id && *u == m.user_id))
                .map(|m| TeamMember { id: UserId(m.user_id), name: m.name.clone() })
                .collect(),
            collaborations: mine.len() as i64,
            name: r.name,
            objective: r.objective,
            currency: r.currency,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
        });
    }
    Ok(out)
}

async fn view_one(c: &mut Conn<'_>, ctx: &Ctx, row: CampaignRow) -> AppResult<CampaignView> {
    views(c, ctx, vec![row]).await?.into_iter().next().ok_or(AppError::NotFound)
}

/// Validates an input against the workspace: its default currency and its members.
async fn validate(c: &mut Conn<'_>, ctx: &Ctx, input: &CampaignInput) -> AppResult<core::CampaignDraft> {
    let ws = workspaces::get(c, ctx.ws()).await?;
    let default = Currency::parse(&ws.default_currency).map_err(|e| AppError::Internal(e.to_string()))?;
    let draft = core::validate(input, default)?;
    for u in &draft.team_member_ids {
        if users::role_of(c, ctx.ws(), u.0).await?.is_none() {
            return Err(Invalid::one("team_member_ids", format!("{u} is not a member of this workspace")).into());
        }
    }
    Ok(draft)
}

fn apply(row: &mut CampaignRow, d: &core::CampaignDraft) -> AppResult<()> {
    row.name = d.name.clone();
    row.objective = d.objective.clone();
    row.starts_on = d.starts_on;
    row.ends_on = d.ends_on;
    row.budget_minor = d.budget_minor;
    row.currency = d.currency.to_string();
    row.disclosure_profile = d.disclosure_profile.slug().into();
    row.required_hashtags = to_json(&d.required_hashtags)?;
    row.required_mentions = to_json(&d.required_mentions)?;
    row.tags = to_json(&d.tags)?;
    Ok(())
}

fn member_ids(d: &core::CampaignDraft) -> Vec<Uuid> {
    d.team_member_ids.iter().map(|u| u.0).collect()
}

/// Creates a campaign in `draft`.
pub async fn create(app: &App, ctx: &Ctx, input: CampaignInput) -> AppResult<CampaignView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let draft = validate(&mut c, ctx, &input).await?;
    let t = now();
    let mut row = CampaignRow {
        id: CampaignId::new().0,
        name: String::new(),
        objective: None,
        status: Status::Draft.slug().into(),
        starts_on: None,
        ends_on: None,
        budget_minor: None,
        currency: String::new(),
        disclosure_profile: DisclosureProfile::Us.slug().into(),
        required_hashtags: "[]".into(),
        required_mentions: "[]".into(),
        tags: "[]".into(),
        created_by: ctx.actor.to_string(),
        created_at: t,
        updated_at: t,
        deleted_at: None,
    };
    apply(&mut row, &draft)?;
    store::insert(&mut c, ctx.ws(), &row).await?;
    store::set_members(&mut c, ctx.ws(), row.id, &member_ids(&draft)).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// One campaign, deleted or not.
pub async fn get(app: &App, ctx: &Ctx, id: CampaignId) -> AppResult<CampaignView> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let row = require_campaign(&mut c, ctx, id, true).await?;
    view_one(&mut c, ctx, row).await
}

pub async fn list(app: &App, ctx: &Ctx, q: &CampaignQuery) -> AppResult<Vec<CampaignView>> {
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| Invalid::one("status", "must be draft, active, completed or archived"))?
                .slug()
                .to_string(),
        ),
    };
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let rows = store::list(&mut c, ctx.ws(), &ListFilter { status, deleted: q.deleted.unwrap_or(false) }).await?;
    views(&mut c, ctx, rows).await
}

/// The editable state of a campaign as an input (what a patch is laid over).
pub fn editable(v: &CampaignView) -> CampaignInput {
    CampaignInput {
        name: Some(v.name.clone()),
        objective: v.objective.clone(),
        starts_on: v.starts_on.clone(),
        ends_on: v.ends_on.clone(),
        budget_minor: v.budget_minor,
        currency: Some(v.currency.clone()),
        disclosure_profile: Some(v.disclosure_profile.clone()),
        required_hashtags: Some(v.required_hashtags.clone()),
        required_mentions: Some(v.required_mentions.clone()),
        tags: Some(v.tags.clone()),
        team_member_ids: Some(v.team.iter().map(|m| m.id.to_string()).collect()),
    }
}

/// Replaces the editable fields of a live campaign. Its currency is fixed once any amount
/// was recorded on its collaborations (409).
pub async fn replace(app: &App, ctx: &Ctx, id: CampaignId, input: CampaignInput) -> AppResult<CampaignView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = require_campaign(&mut c, ctx, id, false).await?;
    let draft = validate(&mut c, ctx, &input).await?;
    if draft.currency.as_str() != row.currency && collaborations::campaign_has_money(&mut c, ctx.ws(), row.id).await? {
        return Err(AppError::Conflict {
            message: format!(
                "the currency stays {}: fees or offers are already recorded in it on this campaign",
                row.currency
            ),
            field: Some("currency".into()),
            existing: None,
        });
    }
    apply(&mut row, &draft)?;
    row.updated_at = now();
    store::update(&mut c, ctx.ws(), &row).await?;
    store::set_members(&mut c, ctx.ws(), row.id, &member_ids(&draft)).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Applies a JSON merge patch (RFC 7396) to the editable fields.
pub async fn patch(app: &App, ctx: &Ctx, id: CampaignId, patch: Value) -> AppResult<CampaignView> {
    ctx.require_write()?;
    let current = get(app, ctx, id).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    replace(app, ctx, id, merge_patch(&editable(&current), patch)?).await
}

/// Lays a JSON merge patch (RFC 7396) over the editable state `current` and reads the
/// result back as an input, naming any bad or unknown field.
pub fn merge_patch<T: Serialize + for<'de> Deserialize<'de>>(current: &T, patch: Value) -> AppResult<T> {
    let Value::Object(patch) = patch else {
        return Err(Invalid::one("body", "must be a JSON object").into());
    };
    let mut merged = serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(obj) = merged.as_object_mut() {
        for (k, v) in patch {
            obj.insert(k, v);
        }
    }
    Ok(parse_json::<T>(merged)?)
}

/// Moves a campaign one step along draft → active → completed → archived; any other move
/// is a 409 naming the allowed statuses.
pub async fn set_status(app: &App, ctx: &Ctx, id: CampaignId, input: StatusInput) -> AppResult<CampaignView> {
    ctx.require_write()?;
    let to = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(Invalid::one("status", "is required").into()),
        Some(s) => {
            Status::parse(s).ok_or_else(|| Invalid::one("status", "must be draft, active, completed or archived"))?
        }
    };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = require_campaign(&mut c, ctx, id, false).await?;
    status_of(&row)?.transition(to).map_err(|m| AppError::Conflict {
        message: m,
        field: Some("status".into()),
        existing: None,
    })?;
    row.status = to.slug().into();
    row.updated_at = now();
    store::update(&mut c, ctx.ws(), &row).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

async fn set_deleted(app: &App, ctx: &Ctx, id: CampaignId, deleted: bool) -> AppResult<CampaignView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut row = require_campaign(&mut c, ctx, id, true).await?;
    if row.deleted_at.is_some() != deleted {
        let t = now();
        row.deleted_at = deleted.then_some(t);
        row.updated_at = t;
        store::update(&mut c, ctx.ws(), &row).await?;
    }
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Soft-deletes a campaign (its collaborations are hidden with it); it can be restored.
pub async fn delete(app: &App, ctx: &Ctx, id: CampaignId) -> AppResult<CampaignView> {
    set_deleted(app, ctx, id, true).await
}

pub async fn restore(app: &App, ctx: &Ctx, id: CampaignId) -> AppResult<CampaignView> {
    set_deleted(app, ctx, id, false).await
}

/// The workspace's default currency, which a new campaign starts with.
pub async fn default_currency(app: &App, ctx: &Ctx) -> AppResult<String> {
    Ok(workspaces::get(&mut app.db.read().await?.conn(), ctx.ws()).await?.default_currency)
}

/// Validates an input as [`create`] would, without saving (a form that found its own
/// problems first still shows every other one).
pub async fn check(app: &App, ctx: &Ctx, input: &CampaignInput) -> AppResult<()> {
    validate(&mut app.db.read().await?.conn(), ctx, input).await.map(|_| ())
}
