//! Collaborations (one creator on one campaign — the deal) and their offers: the stage
//! machine, fee models, offer directions and statuses, and the rules for their fields.

use crate::Invalid;
use crate::validation::{optional_date, optional_text};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// The longest usage-rights, exclusivity or deliverables text, in characters.
pub const MAX_TERMS: usize = 4000;
/// 100 % in basis points.
pub const FULL_RATE_BP: i64 = 10_000;

/// Where a deal stands. `Declined` and `Cancelled` end it early; `Completed` ends it well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Invited,
    Negotiating,
    Agreed,
    Contracted,
    InProduction,
    Completed,
    Declined,
    Cancelled,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Invited,
        Stage::Negotiating,
        Stage::Agreed,
        Stage::Contracted,
        Stage::InProduction,
        Stage::Completed,
        Stage::Declined,
        Stage::Cancelled,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Stage::Invited => "invited",
            Stage::Negotiating => "negotiating",
            Stage::Agreed => "agreed",
            Stage::Contracted => "contracted",
            Stage::InProduction => "in_production",
            Stage::Completed => "completed",
            Stage::Declined => "declined",
            Stage::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Invited => "Invited",
            Stage::Negotiating => "Negotiating",
            Stage::Agreed => "Agreed",
            Stage::Contracted => "Contracted",
            Stage::InProduction => "In production",
            Stage::Completed => "Completed",
            Stage::Declined => "Declined",
            Stage::Cancelled => "Cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        let s = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Stage::ALL.into_iter().find(|st| st.slug() == s)
    }

    /// Still in play: not completed, declined or cancelled.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Completed | Stage::Declined | Stage::Cancelled)
    }

    /// Whether the agreed fee counts as committed budget.
    pub fn commits_budget(self) -> bool {
        !matches!(self, Stage::Declined | Stage::Cancelled)
    }

    /// The stages a deal in this one may move to: the next step of the main path, and
    /// declined or cancelled from any open stage.
    pub fn allowed_next(self) -> Vec<Stage> {
        let next = match self {
            Stage::Invited => Some(Stage::Negotiating),
            Stage::Negotiating => Some(Stage::Agreed),
            Stage::Agreed => Some(Stage::Contracted),
            Stage::Contracted => Some(Stage::InProduction),
            Stage::InProduction => Some(Stage::Completed),
            Stage::Completed | Stage::Declined | Stage::Cancelled => None,
        };
        let mut out: Vec<Stage> = next.into_iter().collect();
        if self.is_open() {
            out.extend([Stage::Declined, Stage::Cancelled]);
        }
        out
    }

    /// Checks a move; the error names the stages that are allowed from here.
    pub fn transition(self, to: Stage) -> Result<(), String> {
        let allowed = self.allowed_next();
        if allowed.contains(&to) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|s| s.slug()).collect();
        Err(if names.is_empty() {
            format!("a collaboration that is {} cannot change stage", self.slug())
        } else {
            format!("a collaboration cannot go from {} to {}; allowed: {}", self.slug(), to.slug(), names.join(", "))
        })
    }
}

/// How the creator is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeModel {
    Flat,
    PerDeliverable,
    Commission,
    Gifted,
    Hybrid,
}

impl FeeModel {
    pub const ALL: [FeeModel; 5] =
        [FeeModel::Flat, FeeModel::PerDeliverable, FeeModel::Commission, FeeModel::Gifted, FeeModel::Hybrid];

    pub fn slug(self) -> &'static str {
        match self {
            FeeModel::Flat => "flat",
            FeeModel::PerDeliverable => "per_deliverable",
            FeeModel::Commission => "commission",
            FeeModel::Gifted => "gifted",
            FeeModel::Hybrid => "hybrid",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeeModel::Flat => "Flat fee",
            FeeModel::PerDeliverable => "Per deliverable",
            FeeModel::Commission => "Commission",
            FeeModel::Gifted => "Gifted (product only)",
            FeeModel::Hybrid => "Hybrid",
        }
    }

    pub fn parse(s: &str) -> Option<FeeModel> {
        FeeModel::ALL.into_iter().find(|m| m.slug() == s.trim())
    }
}

/// The terms of a collaboration as submitted (create, or the full editable state when
/// patching). Money is in minor units of the campaign's currency.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollaborationInput {
    /// The creator, `cr_…` (set when adding; cannot change afterwards).
    pub creator_id: Option<String>,
    /// A member of the workspace, `usr_…`; defaults to the person adding the creator.
    pub owner_id: Option<String>,
    /// `flat` (default), `per_deliverable`, `commission`, `gifted` or `hybrid`.
    pub fee_model: Option<String>,
    pub agreed_fee_minor: Option<i64>,
    /// The value of products given, in minor units.
    pub product_value_minor: Option<i64>,
    /// Commission in basis points (1 250 = 12.5 %), 0–10 000.
    pub commission_rate_bp: Option<i64>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    /// `YYYY-MM-DD`.
    pub exclusivity_ends_on: Option<String>,
    /// When the first draft is due, `YYYY-MM-DD`.
    pub draft_due_on: Option<String>,
    /// When the content must be published, `YYYY-MM-DD`.
    pub publish_due_on: Option<String>,
}

/// Valid terms (the creator and owner are checked against the workspace by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub fee_model: FeeModel,
    pub agreed_fee_minor: Option<i64>,
    pub product_value_minor: Option<i64>,
    pub commission_rate_bp: Option<i64>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    pub exclusivity_ends_on: Option<Date>,
    pub draft_due_on: Option<Date>,
    pub publish_due_on: Option<Date>,
}

fn non_negative(e: &mut Invalid, field: &str, v: Option<i64>) -> Option<i64> {
    if v.is_some_and(|v| v < 0) {
        e.add(field, "must be zero or more");
    }
    v
}

/// Validates the terms of a collaboration.
pub fn validate_terms(input: &CollaborationInput) -> Result<Terms, Invalid> {
    let mut e = Invalid::new();
    let fee_model = match input.fee_model.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => FeeModel::Flat,
        Some(s) => FeeModel::parse(s).unwrap_or_else(|| {
            e.add("fee_model", "must be flat, per_deliverable, commission, gifted or hybrid");
            FeeModel::Flat
        }),
    };
    let agreed_fee_minor = non_negative(&mut e, "agreed_fee_minor", input.agreed_fee_minor);
    if fee_model == FeeModel::Gifted && agreed_fee_minor.is_some_and(|f| f > 0) {
        e.add(
            "agreed_fee_minor",
            "must be empty or zero for a gifted collaboration (choose hybrid for fee and product)",
        );
    }
    let product_value_minor = non_negative(&mut e, "product_value_minor", input.product_value_minor);
    let commission_rate_bp = input.commission_rate_bp;
    if commission_rate_bp.is_some_and(|r| !(0..=FULL_RATE_BP).contains(&r)) {
        e.add("commission_rate_bp", "must be between 0 and 10000 basis points (0–100 %)");
    }
    let usage_rights = optional_text(&mut e, "usage_rights", input.usage_rights.as_deref(), MAX_TERMS);
    let exclusivity = optional_text(&mut e, "exclusivity", input.exclusivity.as_deref(), MAX_TERMS);
    let exclusivity_ends_on = optional_date(&mut e, "exclusivity_ends_on", input.exclusivity_ends_on.as_deref());
    let draft_due_on = optional_date(&mut e, "draft_due_on", input.draft_due_on.as_deref());
    let publish_due_on = optional_date(&mut e, "publish_due_on", input.publish_due_on.as_deref());
    if let (Some(d), Some(p)) = (draft_due_on, publish_due_on)
        && p < d
    {
        e.add("publish_due_on", "must be on or after the draft due date");
    }
    e.into_result(Terms {
        fee_model,
        agreed_fee_minor,
        product_value_minor,
        commission_rate_bp,
        usage_rights,
        exclusivity,
        exclusivity_ends_on,
        draft_due_on,
        publish_due_on,
    })
}

/// Who made an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    BrandToCreator,
    CreatorToBrand,
}

impl Direction {
    pub fn slug(self) -> &'static str {
        match self {
            Direction::BrandToCreator => "brand_to_creator",
            Direction::CreatorToBrand => "creator_to_brand",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Direction::BrandToCreator => "Our offer",
            Direction::CreatorToBrand => "Creator's offer",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        [Direction::BrandToCreator, Direction::CreatorToBrand].into_iter().find(|d| d.slug() == s.trim())
    }
}

/// An offer's status as stored; `expired` is never stored but derived by [`effective`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferStatus {
    Open,
    Accepted,
    Declined,
    Countered,
    Withdrawn,
    Expired,
}

impl OfferStatus {
    pub fn slug(self) -> &'static str {
        match self {
            OfferStatus::Open => "open",
            OfferStatus::Accepted => "accepted",
            OfferStatus::Declined => "declined",
            OfferStatus::Countered => "countered",
            OfferStatus::Withdrawn => "withdrawn",
            OfferStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<OfferStatus> {
        [
            OfferStatus::Open,
            OfferStatus::Accepted,
            OfferStatus::Declined,
            OfferStatus::Countered,
            OfferStatus::Withdrawn,
            OfferStatus::Expired,
        ]
        .into_iter()
        .find(|st| st.slug() == s)
    }
}

/// The status to show: an open offer past its expiry is expired.
pub fn effective(stored: OfferStatus, expires_at: Option<OffsetDateTime>, now: OffsetDateTime) -> OfferStatus {
    match (stored, expires_at) {
        (OfferStatus::Open, Some(at)) if at <= now => OfferStatus::Expired,
        (s, _) => s,
    }
}

/// An offer as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    /// `brand_to_creator` (default) or `creator_to_brand` (a counter-offer the creator made,
    /// recorded by the team).
    pub direction: Option<String>,
    /// In minor units of the campaign's currency.
    pub amount_minor: Option<i64>,
    /// Must be the campaign's currency when given.
    pub currency: Option<String>,
    pub deliverables: Option<String>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    /// RFC 3339 time, or `YYYY-MM-DD` (the end of that day, UTC); in the future.
    pub expires_at: Option<String>,
}

/// A valid offer (its currency is checked against the campaign by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDraft {
    pub direction: Direction,
    pub amount_minor: i64,
    pub deliverables: Option<String>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
}

fn expiry(e: &mut Invalid, v: Option<&str>, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    let at = OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok().or_else(|| {
        let day = time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        Some(day.with_hms(23, 59, 59).ok()?.assume_utc())
    });
    match at {
        None => {
            e.add("expires_at", "must be a time such as 2026-03-31T17:00:00Z or a date such as 2026-03-31");
            None
        }
        Some(at) if at <= now => {
            e.add("expires_at", "must be in the future");
            None
        }
        Some(at) => Some(at.to_offset(time::UtcOffset::UTC)),
    }
}

/// Validates an offer made at `now`.
pub fn validate_offer(input: &OfferInput, now: OffsetDateTime) -> Result<OfferDraft, Invalid> {
    let mut e = Invalid::new();
    let direction = match input.direction.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Direction::BrandToCreator,
        Some(d) => Direction::parse(d).unwrap_or_else(|| {
            e.add("direction", "must be brand_to_creator or creator_to_brand");
            Direction::BrandToCreator
        }),
    };
    let amount_minor = match input.amount_minor {
        None => {
            e.add("amount_minor", "is required");
            0
        }
        Some(a) if a < 0 => {
            e.add("amount_minor", "must be zero or more");
            0
        }
        Some(a) => a,
    };
    let deliverables = optional_text(&mut e, "deliverables", input.deliverables.as_deref(), MAX_TERMS);
    let usage_rights = optional_text(&mut e, "usage_rights", input.usage_rights.as_deref(), MAX_TERMS);
    let exclusivity = optional_text(&mut e, "exclusivity", input.exclusivity.as_deref(), MAX_TERMS);
    let expires_at = expiry(&mut e, input.expires_at.as_deref(), now);
    e.into_result(OfferDraft { direction, amount_minor, deliverables, usage_rights, exclusivity, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_main_path_moves_one_step_and_any_open_stage_can_end_early() {
        assert!(Stage::Invited.transition(Stage::Negotiating).is_ok());
        assert!(Stage::InProduction.transition(Stage::Completed).is_ok());
        assert!(Stage::Contracted.transition(Stage::Cancelled).is_ok());
        assert!(Stage::Invited.transition(Stage::Declined).is_ok());
        assert_eq!(
            Stage::Invited.transition(Stage::Contracted).unwrap_err(),
            "a collaboration cannot go from invited to contracted; allowed: negotiating, declined, cancelled"
        );
        assert!(Stage::Completed.transition(Stage::Cancelled).unwrap_err().contains("cannot change stage"));
        assert!(Stage::Declined.allowed_next().is_empty());
    }

    #[test]
    fn stages_parse_from_slugs_and_labels() {
        assert_eq!(Stage::parse("In production"), Some(Stage::InProduction));
        assert_eq!(Stage::parse("in_production"), Some(Stage::InProduction));
        assert_eq!(Stage::parse("won"), None);
    }

    #[test]
    fn terms_name_every_bad_field() {
        let input = CollaborationInput {
            fee_model: Some("barter".into()),
            agreed_fee_minor: Some(-5),
            product_value_minor: Some(-1),
            commission_rate_bp: Some(10_001),
            draft_due_on: Some("2026-05-02".into()),
            publish_due_on: Some("2026-05-01".into()),
            ..Default::default()
        };
        let e = validate_terms(&input).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["fee_model", "agreed_fee_minor", "product_value_minor", "commission_rate_bp", "publish_due_on"]
        );
    }

    #[test]
    fn a_gifted_collaboration_has_no_fee() {
        let input =
            CollaborationInput { fee_model: Some("gifted".into()), agreed_fee_minor: Some(100), ..Default::default() };
        assert!(validate_terms(&input).unwrap_err().message_for("agreed_fee_minor").is_some());
    }

    #[test]
    fn an_open_offer_past_its_expiry_is_expired() {
        let now = datetime!(2026-05-01 12:00 UTC);
        assert_eq!(effective(OfferStatus::Open, Some(now), now), OfferStatus::Expired);
        assert_eq!(effective(OfferStatus::Open, Some(datetime!(2026-05-02 0:00 UTC)), now), OfferStatus::Open);
        assert_eq!(effective(OfferStatus::Accepted, Some(now), now), OfferStatus::Accepted);
        assert_eq!(effective(OfferStatus::Open, None, now), OfferStatus::Open);
    }

    #[test]
    fn offers_need_an_amount_and_a_future_expiry() {
        let now = datetime!(2026-05-01 12:00 UTC);
        let bad = OfferInput {
            direction: Some("sideways".into()),
            expires_at: Some("2026-04-30".into()),
            ..Default::default()
        };
        let e = validate_offer(&bad, now).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["direction", "amount_minor", "expires_at"]);
        let ok = OfferInput { amount_minor: Some(0), expires_at: Some("2026-05-01".into()), ..Default::default() };
        let d = validate_offer(&ok, now).unwrap();
        assert_eq!(d.expires_at, Some(datetime!(2026-05-01 23:59:59 UTC)));
        assert_eq!(d.direction, Direction::BrandToCreator);
    }
}
