//! The relationship pipeline: a workspace's stages — a stable slug, the label people see,
//! main (a step of the funnel, in order) or side (off the funnel) — the rules a stage list
//! keeps, and how time in a stage reads. The conversion report's formula is in [`funnel`].

pub mod funnel;

use crate::validation::{Invalid, optional_text};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The stage a creator starts in when none is given, in the default list.
pub const DEFAULT_STAGE: &str = "discovered";
/// The board's column for the do-not-contact flag. It is the creator's flag, not a stage,
/// so no stage may take this slug.
pub const DO_NOT_CONTACT: &str = "do_not_contact";
/// The label of the do-not-contact column.
pub const DO_NOT_CONTACT_LABEL: &str = "Do not contact";
/// At most this many stages in a workspace.
pub const MAX_STAGES: usize = 30;
const MAX_SLUG: usize = 40;
const MAX_LABEL: usize = 40;

/// Whether a stage is a step of the funnel or off it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    /// A step of the funnel; main stages are in funnel order.
    Main,
    /// Off the funnel: paused, declined…
    Side,
}

impl StageKind {
    pub fn slug(self) -> &'static str {
        match self {
            StageKind::Main => "main",
            StageKind::Side => "side",
        }
    }

    fn parse(s: &str) -> Result<StageKind, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "main" => Ok(StageKind::Main),
            "side" => Ok(StageKind::Side),
            _ => Err("must be main or side".into()),
        }
    }
}

/// One stage of a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageDef {
    /// Stable identifier stored on creators: lower-case letters, digits and `_`.
    pub slug: String,
    /// What people see; it can be renamed freely.
    pub label: String,
    pub kind: StageKind,
}

impl StageDef {
    fn new(slug: &str, label: &str, kind: StageKind) -> StageDef {
        StageDef { slug: slug.into(), label: label.into(), kind }
    }
}

/// A stage as submitted to replace a workspace's list: an existing slug keeps that stage
/// (with a new label or kind); without a slug a new stage is made, its slug derived from
/// the label.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    pub slug: Option<String>,
    pub label: Option<String>,
    /// `main` (default) or `side`.
    pub kind: Option<String>,
}

/// A workspace's stages: the main stages in funnel order, then the side stages. Always
/// valid: at least one main stage, unique slugs and labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<StageDef>", into = "Vec<StageDef>")]
pub struct Stages(Vec<StageDef>);

impl Default for Stages {
    /// Discovered → Qualified → Contacted → Negotiating → Contracted → Active → Advocate;
    /// Paused and Declined on the side.
    fn default() -> Self {
        use StageKind::{Main, Side};
        Stages(vec![
            StageDef::new("discovered", "Discovered", Main),
            StageDef::new("qualified", "Qualified", Main),
            StageDef::new("contacted", "Contacted", Main),
            StageDef::new("negotiating", "Negotiating", Main),
            StageDef::new("contracted", "Contracted", Main),
            StageDef::new("active", "Active", Main),
            StageDef::new("advocate", "Advocate", Main),
            StageDef::new("paused", "Paused", Side),
            StageDef::new("declined", "Declined", Side),
        ])
    }
}

impl TryFrom<Vec<StageDef>> for Stages {
    type Error = Invalid;

    fn try_from(defs: Vec<StageDef>) -> Result<Stages, Invalid> {
        let mut e = Invalid::new();
        for (i, d) in defs.iter().enumerate() {
            if let Err(m) = parse_slug(&d.slug) {
                e.add(format!("stages.{i}.slug"), m);
            }
        }
        check_list(&mut e, &defs);
        e.into_result(ordered(defs))
    }
}

impl From<Stages> for Vec<StageDef> {
    fn from(s: Stages) -> Self {
        s.0
    }
}

/// Main stages first (in their order), then side stages (in theirs).
fn ordered(defs: Vec<StageDef>) -> Stages {
    let (mut main, side): (Vec<StageDef>, Vec<StageDef>) = defs.into_iter().partition(|d| d.kind == StageKind::Main);
    main.extend(side);
    Stages(main)
}

/// The rules of a whole list: its size, a main stage, unique slugs and labels.
fn check_list(e: &mut Invalid, defs: &[StageDef]) {
    if defs.is_empty() || defs.len() > MAX_STAGES {
        e.add("stages", format!("must list 1 to {MAX_STAGES} stages"));
    } else if !defs.iter().any(|d| d.kind == StageKind::Main) {
        e.add("stages", "must include at least one main stage");
    }
    for (i, d) in defs.iter().enumerate() {
        let earlier = &defs[..i];
        if earlier.iter().any(|o| o.slug == d.slug) {
            e.add(format!("stages.{i}.slug"), format!("“{}” is used by another stage", d.slug));
        }
        if earlier.iter().any(|o| o.label.to_lowercase() == d.label.to_lowercase()) {
            e.add(format!("stages.{i}.label"), format!("“{}” is the name of another stage", d.label));
        }
    }
}

impl Stages {
    /// Validates a submitted list (see [`StageInput`]); every problem is named by its
    /// place, e.g. `stages.2.label`.
    pub fn from_input(input: &[StageInput]) -> Result<Stages, Invalid> {
        let mut e = Invalid::new();
        let mut defs: Vec<StageDef> = Vec::with_capacity(input.len());
        for (i, s) in input.iter().enumerate() {
            let field = |name: &str| format!("stages.{i}.{name}");
            let label = optional_text(&mut e, &field("label"), s.label.as_deref(), MAX_LABEL);
            if label.is_none() && e.message_for(&field("label")).is_none() {
                e.add(field("label"), "is required");
            }
            let label = label.unwrap_or_default();
            let kind = StageKind::parse(s.kind.as_deref().unwrap_or("")).unwrap_or_else(|m| {
                e.add(field("kind"), m);
                StageKind::Main
            });
            let slug = match s.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(given) => parse_slug(given).unwrap_or_else(|m| {
                    e.add(field("slug"), m);
                    String::new()
                }),
                None => unique_slug(&slugify(&label), input, &defs),
            };
            defs.push(StageDef { slug, label, kind });
        }
        if e.is_empty() {
            check_list(&mut e, &defs);
        }
        e.into_result(ordered(defs))
    }

    pub fn all(&self) -> &[StageDef] {
        &self.0
    }

    pub fn main(&self) -> impl Iterator<Item = &StageDef> {
        self.0.iter().filter(|s| s.kind == StageKind::Main)
    }

    pub fn get(&self, slug: &str) -> Option<&StageDef> {
        self.0.iter().find(|s| s.slug == slug)
    }

    /// The stage's label, or the slug itself for a stage no longer in the list.
    pub fn label<'a>(&'a self, slug: &'a str) -> &'a str {
        self.get(slug).map_or(slug, |s| s.label.as_str())
    }

    /// Where a new creator starts: the first main stage.
    pub fn initial(&self) -> &str {
        self.main().next().map_or(DEFAULT_STAGE, |s| s.slug.as_str())
    }

    /// The stage named by `input`: its slug, or its label in any case.
    pub fn find(&self, input: &str) -> Option<&StageDef> {
        let input = input.trim();
        let slug = parse_slug(input).ok();
        self.0.iter().find(|s| Some(&s.slug) == slug.as_ref() || s.label.to_lowercase() == input.to_lowercase())
    }

    /// The position of a main stage in the funnel.
    pub fn main_position(&self, slug: &str) -> Option<usize> {
        self.main().position(|s| s.slug == slug)
    }

    /// The error for a stage that is not in this list: "must be one of discovered, …".
    pub fn not_one_of(&self) -> String {
        let slugs: Vec<&str> = self.0.iter().map(|s| s.slug.as_str()).collect();
        format!("must be one of {}", slugs.join(", "))
    }

    /// A submitted stage as a slug of this list: blank means the initial stage.
    pub fn resolve(&self, input: Option<&str>) -> Result<&str, String> {
        match input.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(self.initial()),
            Some(s) => self.find(s).map(|d| d.slug.as_str()).ok_or_else(|| self.not_one_of()),
        }
    }
}

/// A stage slug from what was typed: trimmed, lower-cased, spaces and `-` as `_`; then a
/// lower-case letter followed by up to 39 letters, digits or `_`.
pub fn parse_slug(s: &str) -> Result<String, String> {
    let slug: String = s.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c }).collect();
    let ok = slug.len() <= MAX_SLUG
        && slug.starts_with(|c: char| c.is_ascii_lowercase())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err("must be a stage such as qualified: a lower-case letter, then letters, digits or _".into());
    }
    if slug == DO_NOT_CONTACT {
        return Err("do_not_contact is the do-not-contact flag, not a stage".into());
    }
    Ok(slug)
}

/// A slug made from a label: ASCII letters and digits, other characters as `_`.
pub fn slugify(label: &str) -> String {
    let mut out = String::new();
    for c in label.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let mut slug = out.trim_matches('_').to_string();
    if !slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        slug = format!("stage_{slug}").trim_end_matches('_').to_string();
    }
    if slug == DO_NOT_CONTACT {
        slug.push_str("_stage");
    }
    slug.chars().take(MAX_SLUG).collect::<String>().trim_end_matches('_').to_string()
}

/// `base`, or `base_2`, `base_3`… when a stage of the list (submitted or made) has it.
fn unique_slug(base: &str, input: &[StageInput], made: &[StageDef]) -> String {
    let taken = |s: &str| {
        made.iter().any(|d| d.slug == s)
            || input.iter().any(|i| i.slug.as_deref().and_then(|g| parse_slug(g).ok()).as_deref() == Some(s))
    };
    let mut candidate = base.to_string();
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{}_{n}", base.chars().take(MAX_SLUG - 4).collect::<String>());
        n += 1;
    }
    candidate
}

/// Whole days from `from` to `to`, never negative.
pub fn days_between(from: OffsetDateTime, to: OffsetDateTime) -> i64 {
    (to - from).whole_days().max(0)
}

/// "less than a day", "1 day", "12 days".
pub fn days_text(days: i64) -> String {
    match days {
        i64::MIN..=0 => "less than a day".into(),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

/// "in Negotiating for 12 days", for a creator `days` whole days in the stage (see
/// [`days_between`]).
pub fn time_in_stage(label: &str, days: i64) -> String {
    format!("in {label} for {}", days_text(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(slug: Option<&str>, label: &str, kind: &str) -> StageInput {
        StageInput { slug: slug.map(Into::into), label: Some(label.into()), kind: Some(kind.into()) }
    }

    #[test]
    fn the_default_list_is_the_seven_step_funnel_with_two_side_stages() {
        let s = Stages::default();
        let main: Vec<&str> = s.main().map(|d| d.slug.as_str()).collect();
        assert_eq!(main, ["discovered", "qualified", "contacted", "negotiating", "contracted", "active", "advocate"]);
        assert_eq!(s.all().len(), 9);
        assert_eq!(s.initial(), DEFAULT_STAGE);
    }

    #[test]
    fn a_stage_is_found_by_slug_or_by_label_in_any_case() {
        let s = Stages::default();
        assert_eq!(s.resolve(Some(" Negotiating ")), Ok("negotiating"));
        assert_eq!(s.resolve(Some("paused")), Ok("paused"));
        assert_eq!(s.resolve(None), Ok("discovered"));
        assert_eq!(s.resolve(Some("famous")).unwrap_err(), s.not_one_of());
        assert!(s.not_one_of().starts_with("must be one of discovered, qualified"));
    }

    #[test]
    fn slugs_are_lower_case_words_and_do_not_contact_is_reserved() {
        assert_eq!(parse_slug("In Review"), Ok("in_review".into()));
        assert!(parse_slug("1st").is_err());
        assert!(parse_slug("née").is_err());
        assert!(parse_slug("do_not_contact").unwrap_err().contains("flag"));
        assert_eq!(slugify("Négo — 2nd round!"), "n_go_2nd_round");
        assert_eq!(slugify("2026"), "stage_2026");
        assert_eq!(slugify("Do not contact"), "do_not_contact_stage");
    }

    #[test]
    fn a_new_stage_gets_a_slug_from_its_label_and_side_stages_go_last() {
        let s = Stages::from_input(&[
            input(None, "On hold", "side"),
            input(Some("discovered"), "Found", "main"),
            input(None, "Found again", ""),
            input(None, "on hold", "main"),
        ]);
        let e = s.unwrap_err();
        assert!(e.message_for("stages.3.label").unwrap().contains("another stage"), "{e:?}");
        let s = Stages::from_input(&[
            input(None, "On hold", "side"),
            input(Some("discovered"), "Found", "main"),
            input(None, "Review", ""),
            input(None, "Review 2", "main"),
        ])
        .unwrap();
        let slugs: Vec<&str> = s.all().iter().map(|d| d.slug.as_str()).collect();
        assert_eq!(slugs, ["discovered", "review", "review_2", "on_hold"]);
        assert_eq!(s.label("discovered"), "Found");
    }

    #[test]
    fn derived_slugs_do_not_collide_with_given_ones() {
        let s = Stages::from_input(&[input(None, "Review", "main"), input(Some("review"), "Checked", "main")]).unwrap();
        let slugs: Vec<&str> = s.all().iter().map(|d| d.slug.as_str()).collect();
        assert_eq!(slugs, ["review_2", "review"]);
    }

    #[test]
    fn a_list_needs_a_main_stage_and_every_problem_is_named() {
        let e = Stages::from_input(&[input(None, "Paused", "side")]).unwrap_err();
        assert_eq!(e.message_for("stages"), Some("must include at least one main stage"));
        let e = Stages::from_input(&[]).unwrap_err();
        assert!(e.message_for("stages").is_some());
        let e = Stages::from_input(&[
            StageInput { slug: Some("Bad slug!".into()), label: Some(" ".into()), kind: Some("middle".into()) },
            input(Some("x"), &"y".repeat(41), "main"),
        ])
        .unwrap_err();
        for f in ["stages.0.slug", "stages.0.label", "stages.0.kind", "stages.1.label"] {
            assert!(e.message_for(f).is_some(), "{f}: {e:?}");
        }
    }

    #[test]
    fn stored_lists_are_checked_when_read() {
        let json = r#"[{"slug":"a","label":"A","kind":"side"}]"#;
        assert!(serde_json::from_str::<Stages>(json).is_err());
        let round = serde_json::to_string(&Stages::default()).unwrap();
        assert_eq!(serde_json::from_str::<Stages>(&round).unwrap(), Stages::default());
    }

    #[test]
    fn time_in_stage_reads_in_whole_days() {
        let t = time::macros::datetime!(2026-11-25 12:00 UTC);
        assert_eq!(
            time_in_stage("Negotiating", days_between(t - time::Duration::days(12), t)),
            "in Negotiating for 12 days"
        );
        assert_eq!(time_in_stage("Active", days_between(t - time::Duration::hours(30), t)), "in Active for 1 day");
        assert_eq!(
            time_in_stage("Active", days_between(t + time::Duration::hours(1), t)),
            "in Active for less than a day"
        );
    }
}
