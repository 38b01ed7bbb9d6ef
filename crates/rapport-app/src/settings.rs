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

/// Replaces the brand profile (owners and admins, or a write API key).
pub async fn set_brand_profile(app: &App, ctx: &Ctx, profile: BrandProfile) -> AppResult<BrandProfile> {
    ctx.require_configure()?;
    let profile = profile.validate()?;
    let saved = save(app, ctx, |s| s.brand_profile = profile).await?;
    Ok(saved.brand_profile)
}

/// The tier boundaries as the API shows and takes them: the lowest following of each tier
/// above nano (nano is everything below `micro`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierBounds {
    pub micro: i64,
    pub mid: i64,
    #[serde(rename = "macro")]
    pub macro_tier: i64,
    pub mega: i64,
}

impl From<TierThresholds> for TierBounds {
    fn from(t: TierThresholds) -> Self {
        let [micro, mid, macro_tier, mega] = t.0;
        TierBounds { micro, mid, macro_tier, mega }
    }
}

impl TierBounds {
    /// The boundaries, each positive and above the one before it; an error names the
    /// boundary that is not.
    pub fn thresholds(self) -> Result<TierThresholds, Invalid> {
        let named = [("micro", self.micro), ("mid", self.mid), ("macro", self.macro_tier), ("mega", self.mega)];
        let mut e = Invalid::new();
        for (i, (name, value)) in named.iter().enumerate() {
            if *value < 1 {
                e.add(*name, "must be a follower count of at least 1");
            } else if let Some((below, low)) = i.checked_sub(1).map(|j| named[j]).filter(|(_, low)| value <= low) {
                e.add(*name, format!("must be more than {below} ({low})"));
            }
        }
        e.into_result(())?;
        let bounds = [self.micro, self.mid, self.macro_tier, self.mega];
        TierThresholds::new(bounds).map_err(|m| Invalid::one("tiers", m))
    }
}

/// Sets the tier boundaries from their named form (owners and admins, or a write API key).
pub async fn set_tier_bounds(app: &App, ctx: &Ctx, bounds: TierBounds) -> AppResult<TierBounds> {
    ctx.require_configure()?;
    let t = bounds.thresholds()?;
    Ok(save(app, ctx, |s| s.tiers = t).await?.tiers.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(micro: i64, mid: i64, macro_tier: i64, mega: i64) -> TierBounds {
        TierBounds { micro, mid, macro_tier, mega }
    }

    #[test]
    fn increasing_positive_bounds_are_the_thresholds() {
        let t = bounds(5_000, 50_000, 250_000, 2_000_000).thresholds().unwrap();
        assert_eq!(t.0, [5_000, 50_000, 250_000, 2_000_000]);
        assert_eq!(TierBounds::from(t), bounds(5_000, 50_000, 250_000, 2_000_000));
    }

    #[test]
    fn a_bound_not_above_the_one_before_is_named() {
        let e = bounds(10_000, 10_000, 5_000, 0).thresholds().unwrap_err();
        let named: Vec<(&str, &str)> = e.errors.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
        assert_eq!(
            named,
            [
                ("mid", "must be more than micro (10000)"),
                ("macro", "must be more than mid (10000)"),
                ("mega", "must be a follower count of at least 1"),
            ]
        );
    }
}
