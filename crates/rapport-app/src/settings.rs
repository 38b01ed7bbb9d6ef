//! Workspace settings: the brand profile the fit score measures against, the tier
//! boundaries and the pipeline's stages. Stored as one JSON document on the workspace.

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::fit::BrandProfile;
use rapport_core::pipeline::Stages;
use rapport_core::tier::TierThresholds;
use rapport_store::{Conn, workspaces};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    #[serde(default)]
    pub brand_profile: BrandProfile,
    #[serde(default)]
    pub tiers: TierThresholds,
    /// The pipeline's stages (see [`crate::pipeline`]).
    #[serde(default)]
    pub stages: Stages,
}

pub async fn load(c: &mut Conn<'_>, ctx: &Ctx) -> AppResult<WorkspaceSettings> {
    parse(&workspaces::settings(c, ctx.ws()).await?)
}

/// The settings and the newest change-log sequence number, in one statement (a list
/// request needs both: the tiers and stages, and whether the search index is behind).
pub async fn load_with_latest_change(c: &mut Conn<'_>, ctx: &Ctx) -> AppResult<(WorkspaceSettings, i64)> {
    let (raw, latest) = workspaces::settings_and_latest_change(c, ctx.ws()).await?;
    Ok((parse(&raw)?, latest))
}

/// The settings from their stored document.
pub(crate) fn parse(raw: &str) -> AppResult<WorkspaceSettings> {
    serde_json::from_str(raw).map_err(|e| AppError::Internal(format!("workspace settings are unreadable: {e}")))
}

pub async fn get(app: &App, ctx: &Ctx) -> AppResult<WorkspaceSettings> {
    load(&mut app.db.read().await?.conn(), ctx).await
}

/// Writes the whole document, in the caller's transaction.
pub(crate) async fn write(c: &mut Conn<'_>, ctx: &Ctx, s: &WorkspaceSettings) -> AppResult<()> {
    let json = serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?;
    workspaces::set_settings(c, ctx.ws(), json, now()).await?;
    Ok(())
}

async fn save(app: &App, ctx: &Ctx, change: impl FnOnce(&mut WorkspaceSettings)) -> AppResult<WorkspaceSettings> {
    let mut tx = app.db.begin().await?;
    let mut s = load(&mut tx.conn(), ctx).await?;
    change(&mut s);
    write(&mut tx.conn(), ctx, &s).await?;
    // Fit scores and tiers in the search index derive from the settings.
    rapport_store::changes::record_workspace(&mut tx.conn(), ctx.ws()).await?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    Ok(s)
}

/// Replaces the brand profile (owners and admins).
pub async fn set_brand_profile(app: &App, ctx: &Ctx, profile: BrandProfile) -> AppResult<BrandProfile> {
    ctx.require_admin()?;
    let profile = profile.validate()?;
    let saved = save(app, ctx, |s| s.brand_profile = profile).await?;
    Ok(saved.brand_profile)
}

/// Sets the tier boundaries (owners and admins).
pub async fn set_tiers(app: &App, ctx: &Ctx, bounds: [i64; 4]) -> AppResult<TierThresholds> {
    ctx.require_admin()?;
    let t = TierThresholds::new(bounds).map_err(|m| Invalid::one("tiers", m))?;
    Ok(save(app, ctx, |s| s.tiers = t).await?.tiers)
}
