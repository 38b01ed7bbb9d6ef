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
use rapport_store::{Conn, accounts, changes};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use uuid::Uuid;

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

/// How long a large band's median may be reused after the change log has moved on.
const LARGE_BAND_TTL: Duration = Duration::from_secs(600);

/// A band with at least this many accounts is large: a few writes barely move its median,
/// and computing it reads every one of them (hundreds of milliseconds at a million creators).
const LARGE_BAND: u64 = 10_000;

/// Engagement medians the creator page has computed, per workspace, platform and follower
/// range. A median is reused while the change log (which every write to a creator or one of
/// its accounts appends to) has not moved on; a large band's for up to ten minutes whatever
/// was written meanwhile. Small bands are therefore always exact.
#[derive(Debug, Default)]
pub struct BandCache(Mutex<HashMap<BandKey, CachedBand>>);

type BandKey = (Uuid, Platform, i64, Option<i64>);

#[derive(Debug)]
struct CachedBand {
    band: EngagementBand,
    accounts: u64,
    change: i64,
    at: Instant,
}

impl BandCache {
    fn get(&self, key: &BandKey, latest_change: i64) -> Option<EngagementBand> {
        let map = self.0.lock().ok()?;
        let c = map.get(key)?;
        let fresh = c.change == latest_change || (c.accounts >= LARGE_BAND && c.at.elapsed() < LARGE_BAND_TTL);
        fresh.then(|| c.band.clone())
    }

    fn put(&self, key: BandKey, band: EngagementBand, accounts: u64, change: i64) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(key, CachedBand { band, accounts, change, at: Instant::now() });
        }
    }
}

/// The engagement median of accounts like this one (same platform and tier), given the
/// change log's newest sequence number.
async fn band_for(
    c: &mut Conn<'_>,
    (ctx, settings, cache): (&Ctx, &WorkspaceSettings, &BandCache),
    latest_change: i64,
    a: &AccountView,
) -> AppResult<Option<EngagementBand>> {
    let (Ok(platform), Some(tier)) =
        (Platform::parse(&a.platform), a.followers.and_then(|f| settings.tiers.tier_of(f)))
    else {
        return Ok(None);
    };
    let (lo, hi) = settings.tiers.range(tier);
    let key = (ctx.ws(), platform, lo, hi);
    if let Some(band) = cache.get(&key, latest_change) {
        return Ok(Some(band));
    }
    let counted: Vec<(f64, u64)> = accounts::engagement_rate_counts(c, ctx.ws(), platform.slug(), lo, hi)
        .await?
        .into_iter()
        .map(|(rate, n)| (rate, u64::try_from(n).unwrap_or(0)))
        .collect();
    let band = quality::band_of_counts(&counted, platform, tier);
    cache.put(key, band.clone(), counted.iter().map(|(_, n)| n).sum(), latest_change);
    Ok(Some(band))
}

pub async fn for_creator(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    (settings, cache): (&WorkspaceSettings, &BandCache),
    v: &CreatorView,
) -> AppResult<Insights> {
    let t = now();
    let latest_change = changes::latest(c).await?;
    let mut quality_flags = Vec::new();
    let mut main_band = None;
    for (i, a) in v.social_accounts.iter().enumerate() {
        let band = band_for(c, (ctx, settings, cache), latest_change, a).await?;
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

/// The fit scores of a page of creators, each as the creator's page gives it (its main
/// account's band from the cache), for an export without a search index. `latest_change`:
/// the change log's position when the export began, so each band's median is computed once
/// for the whole export rather than again whenever something is written meanwhile.
pub async fn fit_scores(app: &crate::App, ctx: &Ctx, views: &[CreatorView], latest_change: i64) -> AppResult<Vec<u8>> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let settings = crate::settings::load(c, ctx).await?;
    let t = now();
    let mut out = Vec::with_capacity(views.len());
    for v in views {
        let band = match v.social_accounts.first() {
            Some(a) => band_for(c, (ctx, &settings, &app.bands), latest_change, a).await?,
            None => None,
        };
        out.push(fit_for(&settings, v, band.as_ref(), t).score);
    }
    Ok(out)
}

/// The fit score of a creator: engagement measured on its largest account (the first one
/// listed), audience and its quality on the largest account that has them.
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
            audience: crate::accounts::audience_account(&v.social_accounts).map(|a| &*a.audience),
            languages: &v.languages,
            niches: &v.niches,
            text,
            engagement_rate_pct: main.and_then(|a| a.engagement_rate_pct),
            band: main_band,
            audience_quality_pct: crate::accounts::audience_quality_pct(&v.social_accounts),
            observed_at: crate::accounts::data_observed_at(&v.social_accounts),
            now,
        },
    )
}
