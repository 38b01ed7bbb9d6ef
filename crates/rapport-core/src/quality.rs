//! Quality signals on a creator's accounts, each a flag with a plain-words reason:
//! engagement far outside its platform-and-tier band, follower jumps between snapshots,
//! low audience quality where a source provides it, and stale data.

use crate::platform::Platform;
use crate::tier::Tier;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// Metrics older than this are stale (DESIGN.md §5.10).
pub const STALE_AFTER: Duration = Duration::days(30);

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Flag {
    /// `engagement_low`, `engagement_high`, `follower_jump`, `follower_drop`,
    /// `low_audience_quality`, `stale_data`.
    pub kind: String,
    pub message: String,
}

/// The median engagement rate of comparable accounts, and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementBand {
    pub median_pct: f64,
    /// "this workspace's 42 Instagram mid-tier accounts" or "typical Instagram mid-tier accounts".
    pub basis: String,
}

/// Typical engagement medians (percent) by platform and tier, used when a workspace has
/// too few comparable accounts of its own. Feed platforms against followers, video
/// platforms against views.
pub fn typical_engagement_pct(platform: Platform, tier: Tier) -> f64 {
    let by_tier = |n: f64, mi: f64, md: f64, ma: f64, me: f64| match tier {
        Tier::Nano => n,
        Tier::Micro => mi,
        Tier::Mid => md,
        Tier::Macro => ma,
        Tier::Mega => me,
    };
    match platform {
        Platform::Tiktok => by_tier(9.0, 7.5, 6.5, 5.5, 5.0),
        Platform::Youtube => by_tier(5.0, 4.0, 3.5, 3.0, 2.5),
        Platform::Twitch | Platform::Snapchat => by_tier(6.0, 5.0, 4.0, 3.5, 3.0),
        Platform::Instagram | Platform::Threads => by_tier(4.0, 2.5, 1.8, 1.5, 1.2),
        _ => by_tier(2.0, 1.5, 1.0, 0.8, 0.6),
    }
}

/// Fewer comparable accounts than this and typical figures are used instead.
pub const MIN_BAND_SAMPLE: usize = 5;

/// The engagement band of accounts on `platform` in `tier`, from the engagement rates of
/// comparable accounts in the workspace, or typical figures when there are too few.
pub fn band(rates: &[f64], platform: Platform, tier: Tier) -> EngagementBand {
    let counted: Vec<(f64, u64)> = rates.iter().map(|r| (*r, 1)).collect();
    band_of_counts(&counted, platform, tier)
}

/// [`band`] from distinct rates with how many accounts have each (what a database hands
/// back when it groups a million accounts instead of sending every one).
pub fn band_of_counts(counted: &[(f64, u64)], platform: Platform, tier: Tier) -> EngagementBand {
    let n: u64 = counted.iter().filter(|(r, _)| r.is_finite()).map(|(_, k)| k).sum();
    match weighted_median(counted) {
        Some(m) if n >= MIN_BAND_SAMPLE as u64 => EngagementBand {
            median_pct: m,
            basis: format!("this workspace's {n} {} {}-tier accounts", platform.label(), tier.slug()),
        },
        _ => EngagementBand {
            median_pct: typical_engagement_pct(platform, tier),
            basis: format!("typical {} {}-tier accounts", platform.label(), tier.slug()),
        },
    }
}

/// The median of a list (None when empty).
pub fn median(values: &[f64]) -> Option<f64> {
    let counted: Vec<(f64, u64)> = values.iter().map(|v| (*v, 1)).collect();
    weighted_median(&counted)
}

/// The median of values given with their multiplicities (None when there are none): the
/// middle value, or the mean of the two middle ones when the count is even.
pub fn weighted_median(counted: &[(f64, u64)]) -> Option<f64> {
    let mut values: Vec<(f64, u64)> = counted.iter().copied().filter(|(v, k)| v.is_finite() && *k > 0).collect();
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n: u64 = values.iter().map(|(_, k)| k).sum();
    if n == 0 {
        return None;
    }
    // The value at a 0-based position of the sorted, expanded list.
    let at = |pos: u64| {
        let mut seen = 0;
        values.iter().find(|(_, k)| {
            seen += k;
            seen > pos
        })
    };
    let upper = at(n / 2)?.0;
    Some(if n % 2 == 1 { upper } else { (at(n / 2 - 1)?.0 + upper) / 2.0 })
}

/// One metric observation of an account.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub observed_at: OffsetDateTime,
    pub followers: Option<i64>,
}

/// What the flags are computed from.
#[derive(Debug, Clone)]
pub struct AccountSignals<'a> {
    pub platform: Platform,
    pub followers: Option<i64>,
    pub engagement_rate_pct: Option<f64>,
    pub audience_quality_pct: Option<f64>,
    pub observed_at: OffsetDateTime,
    /// Oldest first.
    pub history: &'a [Observation],
    pub band: Option<&'a EngagementBand>,
}

fn compact(n: i64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1} M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{:.1} k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

fn day(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[day padding:none] [month repr:short] [year]");
    t.format(fmt).unwrap_or_default()
}

/// All flags for one account at `now`.
pub fn account_flags(a: &AccountSignals<'_>, now: OffsetDateTime) -> Vec<Flag> {
    let mut out = Vec::new();
    let flag = |kind: &str, message: String| Flag { kind: kind.into(), message };
    if let (Some(er), Some(band)) = (a.engagement_rate_pct, a.band.filter(|b| b.median_pct > 0.0)) {
        let ratio = er / band.median_pct;
        if ratio < 1.0 / 3.0 {
            out.push(flag(
                "engagement_low",
                format!(
                    "Engagement {er:.1} % is under a third of the {:.1} % median of {} — the audience may be inactive or bought.",
                    band.median_pct, band.basis
                ),
            ));
        } else if ratio > 3.0 {
            out.push(flag(
                "engagement_high",
                format!(
                    "Engagement {er:.1} % is over three times the {:.1} % median of {} — check for engagement pods or bought interactions.",
                    band.median_pct, band.basis
                ),
            ));
        }
    }
    for w in a.history.windows(2) {
        let (Some(before), Some(after)) = (w[0].followers, w[1].followers) else { continue };
        if before < 1000 {
            continue;
        }
        let change = (after - before) as f64 / before as f64;
        let days = (w[1].observed_at - w[0].observed_at).whole_days().max(1);
        if change > 0.3 && days <= 60 {
            out.push(flag(
                "follower_jump",
                format!(
                    "Followers jumped from {} to {} (+{:.0} %) between {} and {}.",
                    compact(before),
                    compact(after),
                    change * 100.0,
                    day(w[0].observed_at),
                    day(w[1].observed_at)
                ),
            ));
        } else if change < -0.2 && days <= 60 {
            out.push(flag(
                "follower_drop",
                format!(
                    "Followers fell from {} to {} ({:.0} %) between {} and {} — often a purge of fake accounts.",
                    compact(before),
                    compact(after),
                    change * 100.0,
                    day(w[0].observed_at),
                    day(w[1].observed_at)
                ),
            ));
        }
    }
    if let Some(q) = a.audience_quality_pct.filter(|q| *q < 60.0) {
        out.push(flag("low_audience_quality", format!("Only {q:.0} % of the audience looks real and active.")));
    }
    let age = now - a.observed_at;
    if age > STALE_AFTER {
        out.push(flag(
            "stale_data",
            format!(
                "These figures were observed {} days ago (on {}); refresh them before deciding.",
                age.whole_days(),
                day(a.observed_at)
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

    #[test]
    fn a_weighted_median_equals_the_median_of_the_expanded_list() {
        let counted = [(3.0, 2), (1.0, 1), (2.0, 3), (9.0, 1)];
        let expanded = [3.0, 3.0, 1.0, 2.0, 2.0, 2.0, 9.0];
        assert_eq!(weighted_median(&counted), median(&expanded));
        assert_eq!(weighted_median(&counted), Some(2.0));
        assert_eq!(weighted_median(&[(1.0, 2), (4.0, 2)]), Some(2.5), "even count: mean of the middle two");
        assert_eq!(weighted_median(&[(1.0, 0)]), None);
    }

    #[test]
    fn a_band_from_counts_names_how_many_accounts_it_covers() {
        let b = band_of_counts(&[(2.0, 3), (2.5, 2), (9.0, 1)], Platform::Youtube, Tier::Micro);
        assert_eq!(b, band(&[2.0, 2.0, 2.0, 2.5, 2.5, 9.0], Platform::Youtube, Tier::Micro));
        assert!(b.basis.starts_with("this workspace's 6 YouTube"), "{}", b.basis);
    }

    fn signals<'a>(
        er: Option<f64>,
        band: Option<&'a EngagementBand>,
        history: &'a [Observation],
    ) -> AccountSignals<'a> {
        AccountSignals {
            platform: Platform::Instagram,
            followers: Some(50_000),
            engagement_rate_pct: er,
            audience_quality_pct: None,
            observed_at: NOW - Duration::days(2),
            history,
            band,
        }
    }

    #[test]
    fn engagement_in_band_raises_no_flag() {
        let band = EngagementBand { median_pct: 2.0, basis: "typical Instagram micro-tier accounts".into() };
        assert!(account_flags(&signals(Some(2.5), Some(&band), &[]), NOW).is_empty());
    }

    #[test]
    fn engagement_far_below_or_above_the_band_is_flagged_with_the_median() {
        let band =
            EngagementBand { median_pct: 2.0, basis: "this workspace's 12 Instagram micro-tier accounts".into() };
        let low = account_flags(&signals(Some(0.5), Some(&band), &[]), NOW);
        assert_eq!(low[0].kind, "engagement_low");
        assert!(low[0].message.contains("2.0 % median of this workspace's 12 Instagram"));
        let high = account_flags(&signals(Some(7.0), Some(&band), &[]), NOW);
        assert_eq!(high[0].kind, "engagement_high");
    }

    #[test]
    fn a_follower_jump_between_snapshots_is_flagged() {
        let h = [
            Observation { observed_at: NOW - Duration::days(20), followers: Some(10_000) },
            Observation { observed_at: NOW - Duration::days(10), followers: Some(25_000) },
        ];
        let f = account_flags(&signals(None, None, &h), NOW);
        assert_eq!(f[0].kind, "follower_jump");
        assert!(f[0].message.contains("+150 %"), "{}", f[0].message);
    }

    #[test]
    fn steady_growth_is_not_a_jump() {
        let h = [
            Observation { observed_at: NOW - Duration::days(90), followers: Some(10_000) },
            Observation { observed_at: NOW - Duration::days(60), followers: Some(11_000) },
            Observation { observed_at: NOW - Duration::days(30), followers: Some(12_500) },
        ];
        assert!(account_flags(&signals(None, None, &h), NOW).is_empty());
    }

    #[test]
    fn stale_data_and_low_audience_quality_are_flagged() {
        let mut s = signals(None, None, &[]);
        s.observed_at = NOW - Duration::days(45);
        s.audience_quality_pct = Some(41.0);
        let kinds: Vec<String> = account_flags(&s, NOW).into_iter().map(|f| f.kind).collect();
        assert_eq!(kinds, vec!["low_audience_quality", "stale_data"]);
    }

    #[test]
    fn the_median_of_an_even_list_is_the_mean_of_the_middle_pair() {
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
