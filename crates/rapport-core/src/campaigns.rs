//! Campaigns: the status lifecycle (draft → active → completed → archived), the disclosure
//! profiles, the rules for a campaign's fields (hashtags, mentions, tags, dates, budget) and
//! the one definition of a campaign's committed and remaining budget.

use crate::Invalid;
use crate::collaborations::Stage;
use crate::creators::{label_value, list};
use crate::money::{Currency, Money, MoneyError};
use crate::validation::{optional_date, optional_text, required_text};
use serde::{Deserialize, Serialize};
use time::Date;

/// The longest campaign name, in characters.
pub const MAX_NAME: usize = 200;
/// The longest objective, in characters.
pub const MAX_OBJECTIVE: usize = 4000;

/// Where a campaign stands. Each status has exactly one next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Draft,
    Active,
    Completed,
    Archived,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Draft, Status::Active, Status::Completed, Status::Archived];

    pub fn slug(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Completed => "completed",
            Status::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Active => "Active",
            Status::Completed => "Completed",
            Status::Archived => "Archived",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.slug() == s.trim())
    }

    /// The statuses a campaign in this one may move to.
    pub fn allowed_next(self) -> &'static [Status] {
        match self {
            Status::Draft => &[Status::Active],
            Status::Active => &[Status::Completed],
            Status::Completed => &[Status::Archived],
            Status::Archived => &[],
        }
    }

    /// Checks a move; the error names the statuses that are allowed from here.
    pub fn transition(self, to: Status) -> Result<(), String> {
        if self.allowed_next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.allowed_next().iter().map(|s| s.slug()).collect();
        Err(if allowed.is_empty() {
            format!("a campaign that is {} cannot change status", self.slug())
        } else {
            format!("a campaign cannot go from {} to {}; allowed: {}", self.slug(), to.slug(), allowed.join(", "))
        })
    }
}

/// Which advertising-disclosure rules a campaign's content must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureProfile {
    /// FTC Endorsement Guides: "#ad" or "Paid partnership", clear and conspicuous.
    Us,
    /// ASA/CAP and CMA: "#ad" up front; gifts count too.
    Uk,
    /// Germany under UWG/MStV: "Werbung" or "Anzeige" at the start.
    EuDe,
}

impl DisclosureProfile {
    pub const ALL: [DisclosureProfile; 3] = [DisclosureProfile::Us, DisclosureProfile::Uk, DisclosureProfile::EuDe];

    pub fn slug(self) -> &'static str {
        match self {
            DisclosureProfile::Us => "us",
            DisclosureProfile::Uk => "uk",
            DisclosureProfile::EuDe => "eu_de",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DisclosureProfile::Us => "United States (FTC)",
            DisclosureProfile::Uk => "United Kingdom (ASA / CMA)",
            DisclosureProfile::EuDe => "Germany / EU (UWG, MStV)",
        }
    }

    pub fn parse(s: &str) -> Option<DisclosureProfile> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        DisclosureProfile::ALL.into_iter().find(|p| p.slug() == s)
    }
}

/// A campaign as submitted (create, or the full editable state when patching).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub objective: Option<String>,
    /// `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`, on or after `starts_on`.
    pub ends_on: Option<String>,
    /// In minor units (cents) of `currency`; zero or more.
    pub budget_minor: Option<i64>,
    /// ISO 4217; the workspace's default currency when absent.
    pub currency: Option<String>,
    /// `us`, `uk` or `eu_de`.
    pub disclosure_profile: Option<String>,
    /// With or without `#`; stored without it, lower-cased.
    pub required_hashtags: Option<Vec<String>>,
    /// With or without `@`; stored without it, lower-cased.
    pub required_mentions: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    /// Workspace members working on the campaign, `usr_…`.
    pub team_member_ids: Option<Vec<String>>,
}

/// A valid campaign, ready to store (team members are checked against the workspace by
/// the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignDraft {
    pub name: String,
    pub objective: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub budget_minor: Option<i64>,
    pub currency: Currency,
    pub disclosure_profile: DisclosureProfile,
    pub required_hashtags: Vec<String>,
    pub required_mentions: Vec<String>,
    pub tags: Vec<String>,
    pub team_member_ids: Vec<crate::ids::UserId>,
}

/// A hashtag without its `#`, lower-cased: letters, digits and `_`, up to 100 characters.
pub fn hashtag(v: &str) -> Result<String, String> {
    let v = v.trim().trim_start_matches('#').to_lowercase();
    if v.is_empty() || v.chars().count() > 100 || !v.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!("“#{v}” must be a hashtag of letters, digits and _"));
    }
    Ok(v)
}

/// A mention without its `@`, lower-cased: letters, digits, `.` and `_`, up to 100
/// characters.
pub fn mention(v: &str) -> Result<String, String> {
    let v = v.trim().trim_start_matches('@').to_lowercase();
    if v.is_empty() || v.chars().count() > 100 || !v.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.')) {
        return Err(format!("“@{v}” must be a handle of letters, digits, . and _"));
    }
    Ok(v)
}

/// Validates a campaign; `default_currency` applies when none is given.
pub fn validate(input: &CampaignInput, default_currency: Currency) -> Result<CampaignDraft, Invalid> {
    let mut e = Invalid::new();
    let name = required_text(&mut e, "name", input.name.as_deref(), MAX_NAME);
    let objective = optional_text(&mut e, "objective", input.objective.as_deref(), MAX_OBJECTIVE);
    let starts_on = optional_date(&mut e, "starts_on", input.starts_on.as_deref());
    let ends_on = optional_date(&mut e, "ends_on", input.ends_on.as_deref());
    if let (Some(s), Some(end)) = (starts_on, ends_on)
        && end < s
    {
        e.add("ends_on", "must be on or after the start date");
    }
    if input.budget_minor.is_some_and(|b| b < 0) {
        e.add("budget_minor", "must be zero or more");
    }
    let currency = match input.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => default_currency,
        Some(c) => Currency::parse(c).unwrap_or_else(|m| {
            e.add("currency", m);
            default_currency
        }),
    };
    let disclosure_profile = match input.disclosure_profile.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => DisclosureProfile::Us,
        Some(p) => DisclosureProfile::parse(p).unwrap_or_else(|| {
            e.add("disclosure_profile", "must be us, uk or eu_de");
            DisclosureProfile::Us
        }),
    };
    let required_hashtags = list(&mut e, "required_hashtags", input.required_hashtags.as_deref(), 30, hashtag);
    let required_mentions = list(&mut e, "required_mentions", input.required_mentions.as_deref(), 30, mention);
    let tags = list(&mut e, "tags", input.tags.as_deref(), 50, label_value);
    let mut team_member_ids = Vec::new();
    for v in input.team_member_ids.as_deref().unwrap_or(&[]) {
        match v.trim().parse::<crate::ids::UserId>() {
            Ok(id) if !team_member_ids.contains(&id) => team_member_ids.push(id),
            Ok(_) => {}
            Err(_) => {
                e.add("team_member_ids", format!("“{v}” is not a member of this workspace"));
                break;
            }
        }
    }
    e.into_result(CampaignDraft {
        name,
        objective,
        starts_on,
        ends_on,
        budget_minor: input.budget_minor,
        currency,
        disclosure_profile,
        required_hashtags,
        required_mentions,
        tags,
        team_member_ids,
    })
}

/// A campaign's money at a glance, all in the campaign's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub budget: Option<Money>,
    /// The agreed fees of its collaborations that are neither declined nor cancelled.
    pub committed: Money,
    /// Budget minus committed; negative when over budget; `None` without a budget.
    pub remaining: Option<Money>,
}

/// Committed = Σ agreed fee of the collaborations not declined or cancelled; remaining =
/// budget − committed. A fee in another currency is an error, never silently added.
pub fn budget(
    budget_minor: Option<i64>,
    currency: Currency,
    collaborations: &[(Stage, Option<Money>)],
) -> Result<Budget, MoneyError> {
    let mut committed = Money::new(0, currency);
    for (stage, fee) in collaborations {
        if let Some(fee) = fee
            && stage.commits_budget()
        {
            committed = committed.checked_add(*fee)?;
        }
    }
    let budget = budget_minor.map(|b| Money::new(b, currency));
    let remaining = match budget {
        Some(b) => Some(Money::new(b.minor.checked_sub(committed.minor).ok_or(MoneyError::Overflow)?, currency)),
        None => None,
    };
    Ok(Budget { budget, committed, remaining })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn status_moves_one_step_forward_only() {
        assert!(Status::Draft.transition(Status::Active).is_ok());
        assert!(Status::Active.transition(Status::Completed).is_ok());
        assert!(Status::Completed.transition(Status::Archived).is_ok());
        assert_eq!(
            Status::Draft.transition(Status::Completed).unwrap_err(),
            "a campaign cannot go from draft to completed; allowed: active"
        );
        assert!(Status::Archived.transition(Status::Draft).unwrap_err().contains("cannot change status"));
    }

    #[test]
    fn hashtags_and_mentions_are_normalised_and_deduplicated() {
        let input = CampaignInput {
            name: Some(" Summer ".into()),
            required_hashtags: Some(vec!["#Ad".into(), "ad".into(), " ".into(), "#SummerGlow".into()]),
            required_mentions: Some(vec!["@Acme.Official".into()]),
            tags: Some(vec!["Q3".into()]),
            ..Default::default()
        };
        let d = validate(&input, eur()).unwrap();
        assert_eq!(d.name, "Summer");
        assert_eq!(d.required_hashtags, ["ad", "summerglow"]);
        assert_eq!(d.required_mentions, ["acme.official"]);
        assert_eq!(d.tags, ["q3"]);
        assert_eq!((d.currency, d.disclosure_profile), (eur(), DisclosureProfile::Us));
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = CampaignInput {
            name: Some("".into()),
            starts_on: Some("2026-05-02".into()),
            ends_on: Some("2026-05-01".into()),
            budget_minor: Some(-1),
            currency: Some("EURO".into()),
            disclosure_profile: Some("fr".into()),
            required_hashtags: Some(vec!["#no spaces".into()]),
            required_mentions: Some(vec!["@a/b".into()]),
            team_member_ids: Some(vec!["bob".into()]),
            ..Default::default()
        };
        let e = validate(&input, eur()).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name", "ends_on", "budget_minor", "currency", "disclosure_profile", "required_hashtags",
                "required_mentions", "team_member_ids"
            ]
        );
    }

    #[test]
    fn committed_counts_agreed_fees_of_live_collaborations_only() {
        let fee = |m| Some(Money::new(m, eur()));
        let rows = [
            (Stage::Agreed, fee(100_000)),
            (Stage::InProduction, fee(50_000)),
            (Stage::Declined, fee(70_000)),
            (Stage::Cancelled, fee(30_000)),
            (Stage::Invited, None),
        ];
        let b = budget(Some(120_000), eur(), &rows).unwrap();
        assert_eq!(b.committed, Money::new(150_000, eur()));
        assert_eq!(b.remaining, Some(Money::new(-30_000, eur())));
        assert_eq!(budget(None, eur(), &rows).unwrap().remaining, None);
    }

    #[test]
    fn a_fee_in_another_currency_is_never_added_silently() {
        let usd = Currency::parse("USD").unwrap();
        let rows = [(Stage::Agreed, Some(Money::new(1, usd)))];
        assert!(matches!(budget(Some(10), eur(), &rows), Err(MoneyError::CurrencyMismatch(..))));
    }
}
