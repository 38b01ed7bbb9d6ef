//! Creator tiers by the largest following (DESIGN.md §4):
//! nano < 10 k ≤ micro < 100 k ≤ mid < 500 k ≤ macro < 1 M ≤ mega.

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

    /// The tier of a creator whose largest account has `followers`.
    pub fn of(followers: i64) -> Tier {
        match followers {
            f if f < 10_000 => Tier::Nano,
            f if f < 100_000 => Tier::Micro,
            f if f < 500_000 => Tier::Mid,
            f if f < 1_000_000 => Tier::Macro,
            _ => Tier::Mega,
        }
    }

    /// The follower range `[low, high)` of the tier; `high` is `None` for mega.
    pub fn range(self) -> (i64, Option<i64>) {
        match self {
            Tier::Nano => (0, Some(10_000)),
            Tier::Micro => (10_000, Some(100_000)),
            Tier::Mid => (100_000, Some(500_000)),
            Tier::Macro => (500_000, Some(1_000_000)),
            Tier::Mega => (1_000_000, None),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_boundaries_are_inclusive_below() {
        assert_eq!(Tier::of(9_999), Tier::Nano);
        assert_eq!(Tier::of(10_000), Tier::Micro);
        assert_eq!(Tier::of(99_999), Tier::Micro);
        assert_eq!(Tier::of(100_000), Tier::Mid);
        assert_eq!(Tier::of(500_000), Tier::Macro);
        assert_eq!(Tier::of(1_000_000), Tier::Mega);
    }

    #[test]
    fn every_tier_range_contains_its_own_lower_bound() {
        for t in Tier::ALL {
            assert_eq!(Tier::of(t.range().0), *t);
        }
    }
}
