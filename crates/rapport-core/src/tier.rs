//! Creator tiers by the largest following (DESIGN.md §4):
//! nano < 10 k ≤ micro < 100 k ≤ mid < 500 k ≤ macro < 1 M ≤ mega. A creator none of whose
//! accounts reports a following (the stores keep 0 for it) has no tier: it is not nano, and
//! follower bounds and tier filters leave it out.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Nano,
    Micro,
    Mid,
    Macro,
    Mega,
}

impl Tier {
    pub const ALL: &'static [Tier] = &[Tier::Nano, Tier::Micro, Tier::Mid, Tier::Macro, Tier::Mega];

    /// The tier of a creator whose largest account has `followers`, with the default
    /// boundaries (`None` when no following is known).
    pub fn of(followers: i64) -> Option<Tier> {
        TierThresholds::default().tier_of(followers)
    }

    /// The follower range `[low, high)` of the tier with the default boundaries.
    pub fn range(self) -> (i64, Option<i64>) {
        TierThresholds::default().range(self)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Tier::Nano => "nano",
            Tier::Micro => "micro",
            Tier::Mid => "mid",
            Tier::Macro => "macro",
            Tier::Mega => "mega",
        }
    }

    pub fn parse(s: &str) -> Result<Tier, String> {
        Tier::ALL
            .iter()
            .copied()
            .find(|t| t.slug() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| "must be one of nano, micro, mid, macro, mega".into())
    }
}

/// A workspace's tier boundaries: the lowest following of micro, mid, macro and mega.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TierThresholds(pub [i64; 4]);

impl Default for TierThresholds {
    fn default() -> Self {
        TierThresholds([10_000, 100_000, 500_000, 1_000_000])
    }
}

impl TierThresholds {
    /// Boundaries must be positive and strictly increasing.
    pub fn new(b: [i64; 4]) -> Result<Self, String> {
        if b[0] > 0 && b.windows(2).all(|w| w[0] < w[1]) {
            Ok(TierThresholds(b))
        } else {
            Err("must be four positive follower counts in increasing order (micro, mid, macro, mega)".into())
        }
    }

    /// The tier of a following, or `None` when none is known (0 or less).
    pub fn tier_of(&self, followers: i64) -> Option<Tier> {
        let b = self.0;
        Some(match followers {
            f if f < 1 => return None,
            f if f < b[0] => Tier::Nano,
            f if f < b[1] => Tier::Micro,
            f if f < b[2] => Tier::Mid,
            f if f < b[3] => Tier::Macro,
            _ => Tier::Mega,
        })
    }

    /// The follower range `[low, high)` of a tier; `high` is `None` for mega.
    pub fn range(&self, t: Tier) -> (i64, Option<i64>) {
        let b = self.0;
        match t {
            Tier::Nano => (1, Some(b[0])),
            Tier::Micro => (b[0], Some(b[1])),
            Tier::Mid => (b[1], Some(b[2])),
            Tier::Macro => (b[2], Some(b[3])),
            Tier::Mega => (b[3], None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_thresholds_move_the_boundaries() {
        let t = TierThresholds::new([5_000, 50_000, 250_000, 2_000_000]).unwrap();
        assert_eq!(t.tier_of(6_000), Some(Tier::Micro));
        assert_eq!(t.tier_of(1_500_000), Some(Tier::Macro));
        assert_eq!(t.range(Tier::Mid), (50_000, Some(250_000)));
        assert!(TierThresholds::new([10, 5, 20, 30]).is_err());
        assert_eq!(TierThresholds::default().tier_of(10_000), Tier::of(10_000));
    }

    #[test]
    fn tier_boundaries_are_inclusive_below() {
        assert_eq!(Tier::of(1), Some(Tier::Nano));
        assert_eq!(Tier::of(9_999), Some(Tier::Nano));
        assert_eq!(Tier::of(10_000), Some(Tier::Micro));
        assert_eq!(Tier::of(99_999), Some(Tier::Micro));
        assert_eq!(Tier::of(100_000), Some(Tier::Mid));
        assert_eq!(Tier::of(500_000), Some(Tier::Macro));
        assert_eq!(Tier::of(1_000_000), Some(Tier::Mega));
    }

    #[test]
    fn a_creator_with_no_known_following_has_no_tier() {
        assert_eq!(Tier::of(0), None);
        assert_eq!(TierThresholds::default().tier_of(-5), None);
        assert_eq!(Tier::Nano.range(), (1, Some(10_000)), "nano starts at one follower");
    }

    #[test]
    fn every_tier_range_contains_its_own_lower_bound() {
        for t in Tier::ALL {
            assert_eq!(Tier::of(t.range().0), Some(*t));
        }
    }
}
