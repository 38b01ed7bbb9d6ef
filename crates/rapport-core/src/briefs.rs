//! Briefs — what a campaign asks of its creators: goals, key messages, do's, don'ts,
//! non-negotiables, how much creative freedom there is, references and attachments. A
//! brief is versioned: each save is a new version, and a creator acknowledges the version
//! they read.

use crate::Invalid;
use crate::validation::optional_text;
use serde::{Deserialize, Serialize};

/// The longest section of a brief, in characters.
pub const MAX_SECTION: usize = 10_000;
/// The most attachments on one version.
pub const MAX_ATTACHMENTS: usize = 20;

/// A brief version as submitted. List sections (key messages, do's, don'ts,
/// non-negotiables, references) take one item per line.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefInput {
    pub goals: Option<String>,
    pub key_messages: Option<String>,
    pub dos: Option<String>,
    pub donts: Option<String>,
    pub non_negotiables: Option<String>,
    pub creative_freedom: Option<String>,
    /// Links or descriptions of reference content, one per line.
    pub references: Option<String>,
    /// Uploaded files (`fl_…`) attached to this version.
    pub attachment_ids: Option<Vec<String>>,
    /// A brief template of the playbook (`tpl_…`) whose text opens the brief; it is copied
    /// into the version and rendered for each creator.
    pub template_id: Option<String>,
}

/// A valid brief version (attachment and template ids are checked by the caller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Brief {
    pub goals: String,
    pub key_messages: Option<String>,
    pub dos: Option<String>,
    pub donts: Option<String>,
    pub non_negotiables: Option<String>,
    pub creative_freedom: Option<String>,
    pub references: Option<String>,
}

/// Validates a brief version: goals are required, every section is bounded.
pub fn validate(input: &BriefInput) -> Result<Brief, Invalid> {
    let mut e = Invalid::new();
    let goals = crate::validation::required_text(&mut e, "goals", input.goals.as_deref(), MAX_SECTION);
    let mut section = |field: &str, v: &Option<String>| optional_text(&mut e, field, v.as_deref(), MAX_SECTION);
    let brief = Brief {
        key_messages: section("key_messages", &input.key_messages),
        dos: section("dos", &input.dos),
        donts: section("donts", &input.donts),
        non_negotiables: section("non_negotiables", &input.non_negotiables),
        creative_freedom: section("creative_freedom", &input.creative_freedom),
        references: section("references", &input.references),
        goals,
    };
    if input.attachment_ids.as_ref().is_some_and(|a| a.len() > MAX_ATTACHMENTS) {
        e.add("attachment_ids", format!("must list at most {MAX_ATTACHMENTS} files"));
    }
    e.into_result(brief)
}

/// The items of a list section: one per non-blank line, without a leading bullet.
pub fn items(section: Option<&str>) -> Vec<String> {
    section
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '*', '•', '–']).trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_are_required_and_sections_are_trimmed() {
        let e = validate(&BriefInput { goals: Some("  ".into()), ..Default::default() }).unwrap_err();
        assert_eq!(e.message_for("goals"), Some("is required"));
        let b = validate(&BriefInput { goals: Some(" Launch ".into()), dos: Some(" ".into()), ..Default::default() })
            .unwrap();
        assert_eq!((b.goals.as_str(), b.dos), ("Launch", None));
    }

    #[test]
    fn list_sections_split_into_items_without_bullets() {
        assert_eq!(
            items(Some("- Show the bottle\n\n• Say it is vegan\n  * tag us  ")),
            ["Show the bottle", "Say it is vegan", "tag us"]
        );
        assert!(items(None).is_empty());
    }
}
