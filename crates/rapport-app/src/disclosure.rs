//! The disclosure check as a use case: a caption checked against requirements given in the
//! request, or those of a campaign of the caller's workspace (its disclosure profile,
//! required hashtags and mentions). A read: anyone who can see the workspace may run it,
//! and nothing is stored. The rules themselves are `rapport_core::disclosure`.

use crate::App;
use crate::campaigns::require_campaign;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::campaigns::{DisclosureProfile, hashtag, mention};
use rapport_core::creators::list;
use rapport_core::disclosure::{self as core, ADVICE_NOTE, Finding, Requirements, Verdict};
use rapport_core::ids::CampaignId;
use serde::{Deserialize, Serialize};

/// The longest caption checked, in characters (platforms allow far fewer).
pub const MAX_CAPTION: usize = 10_000;

/// A caption to check and what it must satisfy.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    /// The caption as it will be published, line breaks included.
    pub caption: Option<String>,
    /// `us`, `uk` or `eu_de`; overrides the campaign's; `us` when neither is given.
    pub profile: Option<String>,
    /// A campaign of the workspace, `cp_…`: its disclosure profile and its required
    /// hashtags and mentions apply.
    #[schema(example = "cp_0193…")]
    pub campaign_id: Option<String>,
    /// With or without `#`; added to the campaign's.
    pub required_hashtags: Option<Vec<String>>,
    /// With or without `@`; added to the campaign's.
    pub required_mentions: Option<Vec<String>>,
    /// `false` for an unconditional gift (which still needs disclosing); `true` when absent.
    pub paid: Option<bool>,
}

/// The findings on a caption, the worst verdict, and the note that this is advice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckView {
    pub overall: Verdict,
    pub findings: Vec<Finding>,
    pub advice: &'static str,
}

/// The request's fields, checked.
struct Checked {
    caption: String,
    profile: Option<DisclosureProfile>,
    campaign: Option<CampaignId>,
    hashtags: Vec<String>,
    mentions: Vec<String>,
}

fn validate(input: CheckInput) -> Result<Checked, Invalid> {
    let mut e = Invalid::new();
    let caption = input.caption.unwrap_or_default();
    if caption.trim().is_empty() {
        e.add("caption", "is required");
    } else if caption.chars().count() > MAX_CAPTION {
        e.add("caption", format!("must be at most {MAX_CAPTION} characters"));
    }
    let profile = match input.profile.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => {
            let parsed = DisclosureProfile::parse(p);
            if parsed.is_none() {
                e.add("profile", "must be us, uk or eu_de");
            }
            parsed
        }
    };
    let campaign = match input.campaign_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let parsed = c.parse::<CampaignId>().ok();
            if parsed.is_none() {
                e.add("campaign_id", "must be a campaign id (cp_…)");
            }
            parsed
        }
    };
    let hashtags = list(&mut e, "required_hashtags", input.required_hashtags.as_deref(), 30, hashtag);
    let mentions = list(&mut e, "required_mentions", input.required_mentions.as_deref(), 30, mention);
    e.into_result(Checked { caption, profile, campaign, hashtags, mentions })
}

fn stored_list(json: &str) -> AppResult<Vec<String>> {
    serde_json::from_str(json).map_err(|err| AppError::Internal(format!("stored campaign list: {err}")))
}

/// `extra` after `base`, without repeats.
fn merged(mut base: Vec<String>, extra: Vec<String>) -> Vec<String> {
    for v in extra {
        if !base.contains(&v) {
            base.push(v);
        }
    }
    base
}

/// Checks a caption. Bad fields answer 422; a campaign that is not the workspace's (or is
/// deleted) answers 404.
pub async fn check(app: &App, ctx: &Ctx, input: CheckInput) -> AppResult<CheckView> {
    let paid = input.paid.unwrap_or(true);
    let v = validate(input)?;
    let mut req = Requirements { paid, ..Requirements::new(v.profile.unwrap_or(DisclosureProfile::Us)) };
    req.required_hashtags = v.hashtags;
    req.required_mentions = v.mentions;
    if let Some(id) = v.campaign {
        let mut r = app.db.read().await?;
        let mut c = r.conn();
        let row = require_campaign(&mut c, ctx, id, false).await?;
        let stored = DisclosureProfile::parse(&row.disclosure_profile)
            .ok_or_else(|| AppError::Internal(format!("stored disclosure profile {}", row.disclosure_profile)))?;
        req.profile = v.profile.unwrap_or(stored);
        req.required_hashtags = merged(stored_list(&row.required_hashtags)?, req.required_hashtags);
        req.required_mentions = merged(stored_list(&row.required_mentions)?, req.required_mentions);
    }
    let report = core::check(&v.caption, &req);
    Ok(CheckView { overall: report.overall, findings: report.findings, advice: ADVICE_NOTE })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(input: CheckInput) -> Vec<String> {
        match validate(input) {
            Ok(_) => Vec::new(),
            Err(e) => e.errors.into_iter().map(|f| f.field).collect(),
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = CheckInput {
            caption: Some("  \n ".into()),
            profile: Some("fr".into()),
            campaign_id: Some("cr_nope".into()),
            required_hashtags: Some(vec!["#no spaces".into()]),
            required_mentions: Some(vec!["@bad handle".into()]),
            paid: None,
        };
        assert_eq!(fields(bad), ["caption", "profile", "campaign_id", "required_hashtags", "required_mentions"]);
        let long = CheckInput { caption: Some("a".repeat(MAX_CAPTION + 1)), ..Default::default() };
        assert_eq!(fields(long), ["caption"]);
    }

    #[test]
    fn requirements_from_the_request_are_normalised_and_merged_without_repeats() {
        let v = validate(CheckInput {
            caption: Some("#ad".into()),
            profile: Some(" EU-DE ".into()),
            required_hashtags: Some(vec!["#Glow".into(), "glow".into()]),
            ..Default::default()
        });
        let v = v.ok().unwrap_or_else(|| panic!("valid"));
        assert_eq!((v.profile, v.hashtags.clone()), (Some(DisclosureProfile::EuDe), vec!["glow".to_string()]));
        assert_eq!(merged(vec!["a".into(), "glow".into()], v.hashtags), ["a", "glow"]);
    }
}
