//! What Rapport concludes about a creator: the fit score against the brand profile and
//! the quality flags of each account, both explained in plain words.

use crate::accounts::AccountView;
use crate::context::Ctx;
use crate::creators::CreatorView;
use crate::error::AppResult;
use crate::settings::WorkspaceSettings;
use rapport_core::actor::now;
use rapport_core::fit::{Fit, FitInput, fit_score};
use rapport_core::platform::Platform;
use rapport_core::quality::{self, AccountSignals, EngagementBand, Flag, Observation};
use rapport_store::{Conn, accounts};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountFlags {
    pub account_id: String,
    pub platform: String,
    pub handle: String,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Insights {
    pub fit: Fit,
    /// Accounts with at least one flag.
    pub quality_flags: Vec<AccountFlags>,
}

/// The engagement median of accounts like this one (same platform and tier).
pub async fn band_for(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    settings: &WorkspaceSettings,
    a: &AccountView,
) -> AppResult<Option<EngagementBand>> {
    let (Ok(platform), Some(followers)) = (Platform::parse(&a.platform), a.followers) else { return Ok(None) };
    let tier = settings.tiers.tier_of(followers);
    let (lo, hi) = settings.tiers.range(tier);
    let rates = accounts::engagement_rates(c, ctx.ws(), platform.slug(), lo, hi).await?;
    Ok(Some(quality::band(&rates, platform, tier)))
}

pub async fn for_creator(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    settings: &WorkspaceSettings,
    v: &CreatorView,
) -> AppResult<Insights> {
    let t = now();
    let mut quality_flags = Vec::new();
    let mut main_band = None;
    for (i, a) in v.social_accounts.iter().enumerate() {
        let band = band_for(c, ctx, settings, a).await?;
        let history: Vec<Observation> = accounts::snapshots(c, ctx.ws(), a.id.0)
            .await?
            .into_iter()
            .map(|s| Observation { observed_at: s.observed_at, followers: s.followers })
            .collect();
        let flags = quality::account_flags(
            &AccountSignals {
                platform: Platform::parse(&a.platform).unwrap_or(Platform::Blog),
                followers: a.followers,
                engagement_rate_pct: a.engagement_rate_pct,
                audience_quality_pct: a.audience_quality_pct,
                observed_at: a.observed_at,
                history: &history,
                band: band.as_ref(),
            },
            t,
        );
        if !flags.is_empty() {
            quality_flags.push(AccountFlags {
                account_id: a.id.to_string(),
                platform: a.platform.clone(),
                handle: a.handle.clone(),
                flags,
            });
        }
        if i == 0 {
            main_band = band;
        }
    }
    let fit = fit_for(settings, v, main_band.as_ref(), t);
    Ok(Insights { fit, quality_flags })
}

/// The fit score of a creator, measured on its largest account (the first one listed).
pub fn fit_for(
    settings: &WorkspaceSettings,
    v: &CreatorView,
    main_band: Option<&EngagementBand>,
    now: OffsetDateTime,
) -> Fit {
    let main = v.social_accounts.first();
    let text = [
        v.bio.clone().unwrap_or_default(),
        v.tone_notes.clone().unwrap_or_default(),
        v.niches.join(" "),
        v.tags.join(" "),
    ]
    .join(" ");
    fit_score(
        &settings.brand_profile,
        &FitInput {
            audience: main.map(|a| &a.audience),
            languages: &v.languages,
            niches: &v.niches,
            text,
            engagement_rate_pct: main.and_then(|a| a.engagement_rate_pct),
            band: main_band,
            audience_quality_pct: main.and_then(|a| a.audience_quality_pct),
            observed_at: v.social_accounts.iter().map(|a| a.observed_at).min(),
            now,
        },
    )
}
