//! Social accounts of a creator: add, change (a new metrics observation is kept as a
//! snapshot), remove, and the snapshot history. Every metric carries its source and when
//! it was observed; data older than [`STALE_AFTER`] is marked stale.

use crate::App;
use crate::context::Ctx;
use crate::creators::{parse_json, require_creator};
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::actor::now;
use rapport_core::creators::{self as domain, AccountDraft, AccountInput, AudienceInput};
use rapport_core::diff;
use rapport_core::ids::{AccountId, CreatorId};
use rapport_core::platform::Platform;
use rapport_store::accounts::{self as store, AccountRow};
use rapport_store::creators as creators_store;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Metrics older than this are flagged as stale.
pub const STALE_AFTER: Duration = Duration::days(30);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    #[schema(value_type = String, example = "sa_0193…")]
    pub id: AccountId,
    pub platform: String,
    pub handle: String,
    pub url: Option<String>,
    pub platform_user_id: Option<String>,
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    /// Engagement rate in percent.
    pub engagement_rate_pct: Option<f64>,
    /// What the engagement rate is measured against: `views` on video platforms, else `followers`.
    pub engagement_basis: String,
    #[schema(value_type = AudienceInput)]
    pub audience: Arc<AudienceInput>,
    pub audience_quality_pct: Option<f64>,
    /// Where the metrics came from.
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub observed_at: OffsetDateTime,
    /// The metrics are older than 30 days.
    pub stale: bool,
}

impl AccountView {
    /// Whether the account has any figure at all; one without is no data to be fresh or stale.
    pub fn has_metrics(&self) -> bool {
        self.followers.is_some() || self.average_views.is_some() || self.engagement_rate_pct.is_some()
    }
}

/// The account whose audience stands for the creator's in search filters and the fit score:
/// the largest one (accounts are listed largest first) with an audience breakdown — a data
/// provider often covers one platform only, not necessarily the largest.
pub fn audience_account(accounts: &[AccountView]) -> Option<&AccountView> {
    accounts.iter().find(|a| {
        let x = &a.audience;
        !(x.countries.is_empty() && x.age_bands.is_empty() && x.genders.is_empty() && x.languages.is_empty())
    })
}

/// The audience quality figure that stands for the creator's: the largest account's that has one.
pub fn audience_quality_pct(accounts: &[AccountView]) -> Option<f64> {
    accounts.iter().find_map(|a| a.audience_quality_pct)
}

/// When the creator's oldest figures were observed (accounts without figures left out).
pub fn data_observed_at(accounts: &[AccountView]) -> Option<OffsetDateTime> {
    accounts.iter().filter(|a| a.has_metrics()).map(|a| a.observed_at).min()
}

pub fn account_view(a: AccountRow, t: OffsetDateTime) -> AccountView {
    let stale = is_stale(&a, t);
    account_view_marked(a, stale)
}

/// Whether an account's figures are older than [`STALE_AFTER`] at `t` (an account without
/// figures is never stale).
pub fn is_stale(a: &AccountRow, t: OffsetDateTime) -> bool {
    let has_metrics = a.followers.is_some() || a.average_views.is_some() || a.engagement_rate_pct.is_some();
    has_metrics && t - a.observed_at > STALE_AFTER
}

/// [`account_view`] with its staleness given: the only part of the view the clock decides.
pub(crate) fn account_view_marked(a: AccountRow, stale: bool) -> AccountView {
    let platform = Platform::parse(&a.platform).ok();
    AccountView {
        id: AccountId(a.id),
        engagement_basis: if platform.is_some_and(Platform::is_video) { "views" } else { "followers" }.into(),
        platform: a.platform,
        handle: a.handle,
        url: a.url,
        platform_user_id: a.platform_user_id,
        followers: a.followers,
        average_views: a.average_views,
        engagement_rate_pct: a.engagement_rate_pct,
        audience: a.audience.0,
        audience_quality_pct: a.audience_quality_pct,
        source: a.source,
        stale,
        observed_at: a.observed_at,
    }
}

fn editable(v: &AccountView) -> AccountInput {
    AccountInput {
        platform: Some(v.platform.clone()),
        handle: Some(v.handle.clone()),
        url: v.url.clone(),
        platform_user_id: v.platform_user_id.clone(),
        followers: v.followers,
        average_views: v.average_views,
        engagement_rate_pct: v.engagement_rate_pct,
        audience: Some(AudienceInput::clone(&v.audience)),
        audience_quality_pct: v.audience_quality_pct,
        source: Some(v.source.clone()),
        observed_at: Some(v.observed_at),
    }
}

/// The JSON shape of an account in timeline diffs.
pub(crate) fn account_json(d: &AccountDraft) -> Value {
    serde_json::json!({
        "platform": d.platform.slug(),
        "handle": d.handle.display,
        "url": d.url,
        "followers": d.followers,
        "average_views": d.average_views,
        "engagement_rate_pct": d.engagement_rate_pct,
        "audience_quality_pct": d.audience_quality_pct,
        "source": d.source,
    })
}

async fn refuse_taken(
    c: &mut rapport_store::Conn<'_>,
    ctx: &Ctx,
    d: &AccountDraft,
    this: Option<Uuid>,
) -> AppResult<()> {
    if let Some((account, h)) = store::holder_of_handle(c, ctx.ws(), d.platform.slug(), &d.handle.normalized).await?
        && Some(account) != this
    {
        let deleted = if h.deleted_at.is_some() { " (deleted — restore it instead)" } else { "" };
        return Err(AppError::Conflict {
            message: format!(
                "The {} account @{} already belongs to {} ({}){deleted}",
                d.platform.label(),
                d.handle.display,
                h.display_name,
                CreatorId(h.id)
            ),
            field: Some("handle".into()),
            existing: Some(crate::error::Existing {
                id: CreatorId(h.id).to_string(),
                display_name: h.display_name,
                deleted: h.deleted_at.is_some(),
            }),
        });
    }
    Ok(())
}

pub async fn add(app: &App, ctx: &Ctx, creator: CreatorId, input: AccountInput) -> AppResult<AccountView> {
    ctx.require_write()?;
    let d = domain::validate_account(&input, "", now())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    require_creator(&mut c, ctx, creator, false).await?;
    refuse_taken(&mut c, ctx, &d, None).await?;
    let id = AccountId::new();
    let t = now();
    store::insert(&mut c, ctx.ws(), creator.0, id.0, &d, t).await?;
    creators_store::refresh_derived(&mut c, ctx.ws(), creator.0).await?;
    creators_store::touch(&mut c, ctx.ws(), creator.0, t).await?;
    timeline::record(&mut c, ctx, creator.0, "account.added", diff::changes(&Value::Null, &account_json(&d))).await?;
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    Ok(account_view(row, t))
}

async fn require_account(
    c: &mut rapport_store::Conn<'_>,
    ctx: &Ctx,
    creator: CreatorId,
    id: AccountId,
) -> AppResult<AccountRow> {
    require_creator(c, ctx, creator, false).await?;
    match store::get(c, ctx.ws(), id.0).await? {
        Some(a) if a.creator_id == creator.0 => Ok(a),
        _ => Err(AppError::NotFound),
    }
}

/// Applies a JSON merge patch. When metrics or their observation time change, the new
/// observation is also kept as a snapshot. Figures given without `observed_at` and `source`
/// were observed now, by hand ("manual").
pub async fn patch(app: &App, ctx: &Ctx, creator: CreatorId, id: AccountId, patch: Value) -> AppResult<AccountView> {
    ctx.require_write()?;
    let Value::Object(patch) = patch else {
        return Err(rapport_core::Invalid::one("body", "must be a JSON object").into());
    };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let t = now();
    let current = account_view(require_account(&mut c, ctx, creator, id).await?, t);
    let metrics_given = ["followers", "average_views", "engagement_rate_pct"].iter().any(|k| patch.contains_key(*k));
    let mut merged = serde_json::to_value(editable(&current)).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(o) = merged.as_object_mut() {
        if metrics_given && !patch.contains_key("observed_at") {
            // New figures without a time were observed now.
            o.remove("observed_at");
        }
        if metrics_given && !patch.contains_key("source") {
            // …and by whoever typed them, not by the data source of the figures they replace.
            o.remove("source");
        }
        for (k, v) in patch {
            o.insert(k, v);
        }
    }
    let input: AccountInput = parse_json(merged)?;
    let d = domain::validate_account(&input, "", t)?;
    refuse_taken(&mut c, ctx, &d, Some(id.0)).await?;
    let before = domain::validate_account(&editable(&current), "", t).map(|b| account_json(&b)).unwrap_or(Value::Null);
    let changes = diff::changes(&before, &account_json(&d));
    if !changes.is_empty() || d.observed_at != current.observed_at {
        store::update(&mut c, ctx.ws(), id.0, &d, t).await?;
        let observed_anew = d.observed_at != current.observed_at
            || d.followers != current.followers
            || d.average_views != current.average_views
            || d.engagement_rate_pct != current.engagement_rate_pct;
        if observed_anew {
            store::insert_snapshot(&mut c, ctx.ws(), id.0, &d, t).await?;
        }
        creators_store::refresh_derived(&mut c, ctx.ws(), creator.0).await?;
        creators_store::touch(&mut c, ctx.ws(), creator.0, t).await?;
        if !changes.is_empty() {
            timeline::record(&mut c, ctx, creator.0, "account.updated", changes).await?;
        }
    }
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    Ok(account_view(row, t))
}

pub async fn remove(app: &App, ctx: &Ctx, creator: CreatorId, id: AccountId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = require_account(&mut c, ctx, creator, id).await?;
    let t = now();
    let before = account_view(row, t);
    store::delete(&mut c, ctx.ws(), id.0).await?;
    creators_store::refresh_derived(&mut c, ctx.ws(), creator.0).await?;
    creators_store::touch(&mut c, ctx.ws(), creator.0, t).await?;
    let gone = serde_json::json!({"platform": before.platform, "handle": before.handle});
    timeline::record(&mut c, ctx, creator.0, "account.removed", diff::changes(&gone, &Value::Null)).await?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    Ok(())
}

/// One observation of an account's metrics.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SnapshotView {
    pub followers: Option<i64>,
    pub average_views: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub observed_at: OffsetDateTime,
}

/// An account's metric history, oldest first.
pub async fn snapshots(app: &App, ctx: &Ctx, creator: CreatorId, id: AccountId) -> AppResult<Vec<SnapshotView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    require_account(&mut c, ctx, creator, id).await?;
    let rows = store::snapshots(&mut c, ctx.ws(), id.0).await?;
    Ok(rows
        .into_iter()
        .map(|s| SnapshotView {
            followers: s.followers,
            average_views: s.average_views,
            engagement_rate_pct: s.engagement_rate_pct,
            source: s.source,
            observed_at: s.observed_at,
        })
        .collect())
}

/// Follower counts of several accounts over time, for sparklines: `(account, followers)`
/// oldest first.
pub async fn follower_series(app: &App, ctx: &Ctx, ids: &[AccountId]) -> AppResult<Vec<(AccountId, Vec<i64>)>> {
    let mut r = app.db.read().await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let rows = store::snapshots(&mut r.conn(), ctx.ws(), id.0).await?;
        out.push((*id, rows.into_iter().filter_map(|s| s.followers).collect()));
    }
    Ok(out)
}
