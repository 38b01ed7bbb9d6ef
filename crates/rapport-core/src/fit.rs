//! The brand profile and the fit score (DESIGN.md §4): 0–100 from weighted components,
//! each 0–100 and explained in plain words —
//!
//! | component | weight | how |
//! |---|---|---|
//! | audience alignment | 35 | share of the audience in the target countries, age bands, genders and languages (≥ 80 % scores 100), averaged over the dimensions the profile sets; a dimension without a breakdown is 50, except languages, where the creator's own languages stand in (100 if one is a target, else 0) |
//! | niche and values | 25 | shared niches (1 → 75, 2+ → 100) and values keywords found in bio, tone notes, niches and tags; an excluded topic scores 0 |
//! | engagement quality | 20 | engagement against the median of the same platform and tier: 1.5× the median or better scores 100; more than 3× is suspicious and scores 50 |
//! | audience authenticity | 10 | the source's audience quality: 40 % → 0, 90 % → 100 |
//! | data freshness | 10 | metrics observed within 7 days → 100, falling to 0 at 180 days |
//!
//! Missing data scores a neutral 50 and says so (freshness with no metrics at all scores 0).

use crate::creators::{AGE_BANDS, AudienceInput, GENDERS, country_code, label_value};
use crate::quality::EngagementBand;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What a workspace looks for in creators.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BrandProfile {
    pub target_countries: Vec<String>,
    pub target_age_bands: Vec<String>,
    pub target_genders: Vec<String>,
    pub target_languages: Vec<String>,
    pub niches: Vec<String>,
    pub values_keywords: Vec<String>,
    pub excluded_topics: Vec<String>,
}

impl BrandProfile {
    /// Normalises and checks every list; errors name the list and the entry.
    pub fn validate(mut self) -> Result<BrandProfile, Invalid> {
        let mut e = Invalid::new();
        let mut norm = |field: &str, list: &mut Vec<String>, check: &dyn Fn(&str) -> Option<String>, help: &str| {
            let mut out: Vec<String> = Vec::new();
            for v in list.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                match check(v) {
                    Some(v) if !out.contains(&v) => out.push(v),
                    Some(_) => {}
                    None => e.add(field, format!("“{v}” {help}")),
                }
            }
            if out.len() > 50 {
                e.add(field, "may have at most 50 entries");
            }
            *list = out;
        };
        norm(
            "target_countries",
            &mut self.target_countries,
            &country_code,
            "is not a country (a name such as Austria, or an ISO 3166 code such as AT)",
        );
        norm(
            "target_age_bands",
            &mut self.target_age_bands,
            &|v| AGE_BANDS.contains(&v).then(|| v.to_string()),
            &format!("is not one of {}", AGE_BANDS.join(", ")),
        );
        norm(
            "target_genders",
            &mut self.target_genders,
            &|v| {
                let g = v.to_ascii_lowercase();
                GENDERS.contains(&g.as_str()).then_some(g)
            },
            &format!("is not one of {}", GENDERS.join(", ")),
        );
        norm(
            "target_languages",
            &mut self.target_languages,
            &|v| {
                let l = v.to_ascii_lowercase();
                (l.len() >= 2 && l.len() <= 3 && l.chars().all(|c| c.is_ascii_lowercase())).then_some(l)
            },
            "is not an ISO 639 language code",
        );
        for (field, list) in [
            ("niches", &mut self.niches),
            ("values_keywords", &mut self.values_keywords),
            ("excluded_topics", &mut self.excluded_topics),
        ] {
            norm(field, list, &|v| label_value(v).ok(), "must be 1–40 letters, digits or spaces");
        }
        e.into_result(self)
    }

    pub fn is_empty(&self) -> bool {
        self == &BrandProfile::default()
    }
}

/// One explained part of the fit score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FitComponent {
    /// `audience`, `niche_values`, `engagement`, `authenticity`, `freshness`.
    pub key: String,
    pub label: String,
    pub weight: u8,
    pub score: u8,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Fit {
    pub score: u8,
    pub components: Vec<FitComponent>,
}

/// What the fit score looks at for one creator (its largest account for metrics).
#[derive(Debug, Clone)]
pub struct FitInput<'a> {
    pub audience: Option<&'a AudienceInput>,
    pub languages: &'a [String],
    pub niches: &'a [String],
    /// Bio, tone notes, niches and tags, for values keywords and excluded topics.
    pub text: String,
    pub engagement_rate_pct: Option<f64>,
    pub band: Option<&'a EngagementBand>,
    pub audience_quality_pct: Option<f64>,
    pub observed_at: Option<OffsetDateTime>,
    pub now: OffsetDateTime,
}

fn pct(x: f64) -> u8 {
    x.round().clamp(0.0, 100.0) as u8
}

fn share(map: &BTreeMap<String, f64>, keys: &[String]) -> Option<f64> {
    if map.is_empty() {
        return None;
    }
    // `+ 0.0`: an empty sum is -0.0, which would read "-0 %".
    Some(keys.iter().filter_map(|k| map.get(k)).sum::<f64>() + 0.0)
}

/// Whether `text` (lower case) mentions `term` as a word or words of its own, or their
/// plural: "war" is in "after the war" but not in "wardrobe", "drug" in "drugs" but not in
/// "drugstore".
fn mentions(text: &str, term: &str) -> bool {
    let term = term.trim();
    if term.is_empty() {
        return false;
    }
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    text.match_indices(term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let rest = &text[at + term.len()..];
        let rest = ["es", "s"]
            .iter()
            .find_map(|p| rest.strip_prefix(p).filter(|r| boundary(r.chars().next())))
            .unwrap_or(rest);
        boundary(before) && boundary(rest.chars().next())
    })
}

/// One audience dimension: its name, the profile's targets and the audience's shares.
type Dimension<'a> = (&'static str, &'a [String], Option<&'a BTreeMap<String, f64>>);

fn audience(p: &BrandProfile, f: &FitInput<'_>) -> (u8, String) {
    let dims: [Dimension<'_>; 4] = [
        ("countries", &p.target_countries, f.audience.map(|a| &a.countries)),
        ("age bands", &p.target_age_bands, f.audience.map(|a| &a.age_bands)),
        ("genders", &p.target_genders, f.audience.map(|a| &a.genders)),
        ("languages", &p.target_languages, f.audience.map(|a| &a.languages)),
    ];
    if dims.iter().all(|(_, t, _)| t.is_empty()) {
        return (50, "The brand profile sets no target audience yet, so this part is neutral.".into());
    }
    let mut scores = Vec::new();
    let mut parts = Vec::new();
    let mut measured = false;
    for (name, targets, data) in dims {
        if targets.is_empty() {
            continue;
        }
        let list = targets.join(", ");
        if let Some(s) = data.and_then(|m| share(m, targets)) {
            measured = true;
            scores.push((s / 0.8).min(100.0));
            parts.push(format!("{s:.0} % in target {name} ({list})"));
        } else if name == "languages" && !f.languages.is_empty() {
            // Without an audience language breakdown, the creator's own languages are the best guess —
            // said as such, and no stronger than any other dimension.
            let speaks = f.languages.iter().any(|l| targets.contains(l));
            scores.push(if speaks { 100.0 } else { 0.0 });
            let theirs = f.languages.join(", ");
            parts.push(if speaks {
                format!("no audience language breakdown, but the creator speaks {theirs} (target {list})")
            } else {
                format!("no audience language breakdown, and the creator speaks {theirs}, not {list}")
            });
        } else {
            // A dimension the profile targets but the data does not cover is neutral, not left out:
            // one measured dimension must not stand for all of them.
            scores.push(50.0);
            parts.push(format!("no {name} breakdown (neutral)"));
        }
    }
    if !measured && scores.iter().all(|s| *s == 50.0) {
        return (50, format!("No audience breakdown to compare with the targets ({}); neutral.", parts.join("; ")));
    }
    let avg = scores.iter().sum::<f64>() / scores.len() as f64;
    (
        pct(avg),
        format!("{}. 80 % or more in the targets scores full marks.", crate::validation::capitalise(&parts.join("; "))),
    )
}

fn niche_values(p: &BrandProfile, f: &FitInput<'_>) -> (u8, String) {
    let text = f.text.to_lowercase();
    if let Some(t) = p.excluded_topics.iter().find(|t| mentions(&text, t)) {
        return (0, format!("Mentions “{t}”, an excluded topic in the brand profile."));
    }
    let mut scores = Vec::new();
    let mut parts = Vec::new();
    if !p.niches.is_empty() {
        let shared: Vec<&String> = f.niches.iter().filter(|n| p.niches.contains(n)).collect();
        let s = match shared.len() {
            0 if f.niches.is_empty() => 50.0,
            0 => 0.0,
            1 => 75.0,
            _ => 100.0,
        };
        scores.push(s);
        parts.push(if shared.is_empty() {
            if f.niches.is_empty() {
                "no niches recorded (neutral)".to_string()
            } else {
                format!("no shared niche (theirs: {})", f.niches.join(", "))
            }
        } else {
            format!("shares {}", shared.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        });
    }
    if !p.values_keywords.is_empty() {
        let found: Vec<&String> = p.values_keywords.iter().filter(|k| mentions(&text, k)).collect();
        let wanted = p.values_keywords.len().min(3) as f64;
        scores.push((found.len() as f64 / wanted * 100.0).min(100.0));
        parts.push(if found.is_empty() {
            "none of the values keywords".to_string()
        } else {
            format!("mentions {}", found.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        });
    }
    if scores.is_empty() {
        return (50, "The brand profile sets no niches or values yet, so this part is neutral.".into());
    }
    (
        pct(scores.iter().sum::<f64>() / scores.len() as f64),
        format!("{}.", crate::validation::capitalise(&parts.join("; "))),
    )
}

fn engagement(f: &FitInput<'_>) -> (u8, String) {
    match (f.engagement_rate_pct, f.band) {
        (Some(er), Some(b)) if b.median_pct > 0.0 => {
            let r = er / b.median_pct;
            let s = if r > 3.0 { 50.0 } else { (r / 1.5 * 100.0).min(100.0) };
            let note = if r > 3.0 { " — unusually high, so only half marks" } else { "" };
            (pct(s), format!("{er:.1} % is {r:.1}× the {:.1} % median of {}{note}.", b.median_pct, b.basis))
        }
        (Some(er), _) => (50, format!("{er:.1} % engagement, but nothing comparable to measure it against; neutral.")),
        (None, _) => (50, "No engagement rate recorded; neutral.".into()),
    }
}

fn authenticity(f: &FitInput<'_>) -> (u8, String) {
    match f.audience_quality_pct {
        Some(q) => (
            pct((q - 40.0) / 50.0 * 100.0),
            format!("The data source rates {q:.0} % of the audience as real and active."),
        ),
        None => (50, "No audience quality figure from a data source; neutral.".into()),
    }
}

fn freshness(f: &FitInput<'_>) -> (u8, String) {
    match f.observed_at {
        Some(t) => {
            let days = (f.now - t).whole_days().max(0);
            let s = if days <= 7 { 100.0 } else { (1.0 - (days - 7) as f64 / 173.0) * 100.0 };
            let when = match days {
                0 => "today".to_string(),
                1 => "1 day ago".to_string(),
                n => format!("{n} days ago"),
            };
            (pct(s), format!("Metrics observed {when}."))
        }
        None => (0, "No metrics recorded.".into()),
    }
}

/// The fit score of one creator against the brand profile.
pub fn fit_score(p: &BrandProfile, f: &FitInput<'_>) -> Fit {
    let parts: [(&str, &str, u8, (u8, String)); 5] = [
        ("audience", "Audience alignment", 35, audience(p, f)),
        ("niche_values", "Niche and values", 25, niche_values(p, f)),
        ("engagement", "Engagement quality", 20, engagement(f)),
        ("authenticity", "Audience authenticity", 10, authenticity(f)),
        ("freshness", "Data freshness", 10, freshness(f)),
    ];
    let total: f64 = parts.iter().map(|(_, _, w, (s, _))| f64::from(*w) * f64::from(*s)).sum::<f64>() / 100.0;
    Fit {
        score: pct(total),
        components: parts
            .into_iter()
            .map(|(key, label, weight, (score, explanation))| FitComponent {
                key: key.into(),
                label: label.into(),
                weight,
                score,
                explanation,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

    fn profile() -> BrandProfile {
        BrandProfile {
            target_countries: vec!["de".into(), "AT".into()],
            niches: vec!["Food".into(), "baking".into()],
            values_keywords: vec!["vegan".into()],
            excluded_topics: vec!["gambling".into()],
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    fn input<'a>(aud: &'a AudienceInput, niches: &'a [String], band: &'a EngagementBand, text: &str) -> FitInput<'a> {
        FitInput {
            audience: Some(aud),
            languages: &[],
            niches,
            text: text.into(),
            engagement_rate_pct: Some(3.0),
            band: Some(band),
            audience_quality_pct: Some(90.0),
            observed_at: Some(NOW - time::Duration::days(3)),
            now: NOW,
        }
    }

    #[test]
    fn the_profile_is_normalised_and_bad_entries_are_named() {
        assert_eq!(profile().target_countries, vec!["DE", "AT"]);
        let err =
            BrandProfile { target_countries: vec!["Narnia".into()], ..Default::default() }.validate().unwrap_err();
        assert!(err.message_for("target_countries").unwrap().contains("Narnia"));
        let named =
            BrandProfile { target_countries: vec!["Austria".into(), "UK".into(), "de".into()], ..Default::default() };
        assert_eq!(named.validate().unwrap().target_countries, ["AT", "GB", "DE"], "names as people type them");
    }

    #[test]
    fn an_aligned_creator_scores_high_and_every_component_is_explained() {
        let mut aud = AudienceInput::default();
        aud.countries.insert("DE".into(), 70.0);
        aud.countries.insert("AT".into(), 15.0);
        let niches = vec!["food".to_string(), "baking".to_string()];
        let band = EngagementBand { median_pct: 2.0, basis: "typical Instagram micro-tier accounts".into() };
        let fit = fit_score(&profile(), &input(&aud, &niches, &band, "vegan sourdough"));
        assert_eq!(fit.components.len(), 5);
        assert!(fit.score >= 95, "{fit:?}");
        assert!(fit.components[0].explanation.contains("85 % in target countries (DE, AT)"));
        assert!(fit.components[1].explanation.contains("Shares food, baking"));
        assert!(fit.components[2].explanation.contains("1.5× the 2.0 % median"));
    }

    #[test]
    fn topics_and_keywords_match_whole_words_and_their_plurals() {
        assert!(mentions("after the war ended", "war") && mentions("war.", "war"));
        assert!(!mentions("capsule wardrobes for spring", "war"), "not inside another word");
        assert!(!mentions("drugstore reviews", "drug") && mentions("no drugs here", "drug"));
        assert!(mentions("big sports betting fan", "sports betting") && mentions("two dresses", "dress"));
        assert!(!mentions("anything", " "));
        let aud = AudienceInput::default();
        let band = EngagementBand { median_pct: 2.0, basis: "x".into() };
        let fit = fit_score(&profile(), &input(&aud, &[], &band, "Capsule wardrobes, gamblingish puns"));
        assert_ne!(fit.components[1].score, 0, "{fit:?}");
    }

    #[test]
    fn a_target_share_of_nothing_reads_zero_not_minus_zero() {
        let mut aud = AudienceInput::default();
        aud.countries.insert("FR".into(), 100.0);
        let band = EngagementBand { median_pct: 2.0, basis: "x".into() };
        let fit = fit_score(&profile(), &input(&aud, &[], &band, ""));
        assert!(fit.components[0].explanation.starts_with("0 % in target countries"), "{fit:?}");
    }

    #[test]
    fn an_excluded_topic_zeroes_the_niche_component() {
        let aud = AudienceInput::default();
        let band = EngagementBand { median_pct: 2.0, basis: "x".into() };
        let fit = fit_score(&profile(), &input(&aud, &[], &band, "Sponsored by a gambling site"));
        assert_eq!(fit.components[1].score, 0);
        assert!(fit.components[1].explanation.contains("gambling"));
    }

    #[test]
    fn a_targeted_dimension_without_data_is_neutral_not_left_out() {
        let p = BrandProfile {
            target_countries: vec!["DE".into()],
            target_genders: vec!["female".into()],
            target_languages: vec!["de".into()],
            ..Default::default()
        };
        let languages = vec!["de".to_string()];
        let f = FitInput { audience: None, languages: &languages, ..empty() };
        let audience = &fit_score(&p, &f).components[0];
        // Countries 50, genders 50, the creator's own language 100: not 100 from the language alone.
        assert_eq!(audience.score, 67, "{audience:?}");
        assert!(audience.explanation.contains("No countries breakdown (neutral)"), "{audience:?}");
        assert!(audience.explanation.contains("the creator speaks de"), "said to be the creator's: {audience:?}");
        assert!(!audience.explanation.contains("% in target languages"), "{audience:?}");

        let mut aud = AudienceInput::default();
        aud.countries.insert("DE".into(), 80.0);
        let f = FitInput { audience: Some(&aud), ..empty() };
        assert_eq!(fit_score(&p, &f).components[0].score, 67, "100, 50, 50");
        let f = FitInput { audience: None, ..empty() };
        assert_eq!(fit_score(&p, &f).components[0].score, 50, "nothing known at all");
    }

    /// A creator about whom nothing is known.
    fn empty() -> FitInput<'static> {
        FitInput {
            audience: None,
            languages: &[],
            niches: &[],
            text: String::new(),
            engagement_rate_pct: None,
            band: None,
            audience_quality_pct: None,
            observed_at: None,
            now: NOW,
        }
    }

    #[test]
    fn missing_data_is_neutral_and_said_so() {
        let fit = fit_score(&BrandProfile::default(), &empty());
        let scores: Vec<u8> = fit.components.iter().map(|c| c.score).collect();
        assert_eq!(scores, vec![50, 50, 50, 50, 0]);
        assert_eq!(fit.score, 45);
        assert!(fit.components[0].explanation.contains("no target audience"));
    }

    #[test]
    fn suspiciously_high_engagement_gets_half_marks() {
        let aud = AudienceInput::default();
        let band = EngagementBand { median_pct: 1.0, basis: "x".into() };
        let mut f = input(&aud, &[], &band, "");
        f.engagement_rate_pct = Some(4.0);
        assert_eq!(fit_score(&profile(), &f).components[2].score, 50);
    }
}
