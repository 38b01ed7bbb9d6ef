//! Content review: a draft submitted for a deliverable (caption or script, links, files,
//! a note), the checklist a reviewer works through, and the decision — request changes
//! (with feedback) or approve (with every checklist item ticked).

use crate::Invalid;
use crate::validation::optional_text;
use serde::{Deserialize, Serialize};

/// The longest caption or script, in characters.
pub const MAX_CAPTION: usize = 20_000;
/// The longest note or feedback, in characters.
pub const MAX_NOTE: usize = 5_000;
/// The most links or files on one submission.
pub const MAX_ITEMS: usize = 20;

/// What a reviewer decided about a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    ChangesRequested,
    Approved,
}

impl Decision {
    pub fn slug(self) -> &'static str {
        match self {
            Decision::ChangesRequested => "changes_requested",
            Decision::Approved => "approved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::ChangesRequested => "Changes requested",
            Decision::Approved => "Approved",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s.trim() {
            "changes_requested" | "request_changes" => Some(Decision::ChangesRequested),
            "approved" | "approve" => Some(Decision::Approved),
            _ => None,
        }
    }
}

/// A draft as the creator (or a team member for them) submits it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    /// The caption or script.
    pub caption: Option<String>,
    /// Links to the draft media (a shared drive, an unlisted video…).
    pub links: Option<Vec<String>>,
    /// Uploaded files (`fl_…`).
    pub file_ids: Option<Vec<String>>,
    /// A note for the reviewer.
    pub note: Option<String>,
}

/// A valid submission (file ids are checked by the caller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submission {
    pub caption: Option<String>,
    pub links: Vec<String>,
    pub note: Option<String>,
}

/// Checks a web address typed by a person: http(s) only.
pub fn web_link(e: &mut Invalid, field: &str, v: &str) -> Option<String> {
    let v = v.trim();
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Some(v.to_owned()),
        _ => {
            e.add(field, format!("“{v}” must be a web address starting with https:// or http://"));
            None
        }
    }
}

/// Validates a submission: it must carry a caption, a link or a file.
pub fn validate_submission(input: &SubmissionInput) -> Result<Submission, Invalid> {
    let mut e = Invalid::new();
    let caption = optional_text(&mut e, "caption", input.caption.as_deref(), MAX_CAPTION);
    let note = optional_text(&mut e, "note", input.note.as_deref(), MAX_NOTE);
    let raw: Vec<&str> = input.links.iter().flatten().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if raw.len() > MAX_ITEMS {
        e.add("links", format!("must list at most {MAX_ITEMS} links"));
    }
    let links: Vec<String> = raw.iter().filter_map(|l| web_link(&mut e, "links", l)).collect();
    let files = input.file_ids.as_ref().map_or(0, Vec::len);
    if files > MAX_ITEMS {
        e.add("file_ids", format!("must list at most {MAX_ITEMS} files"));
    }
    if caption.is_none() && raw.is_empty() && files == 0 && e.is_empty() {
        e.add("caption", "a draft needs a caption or script, a link or a file");
    }
    e.into_result(Submission { caption, links, note })
}

/// A reviewer's decision as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `approved` or `changes_requested`.
    pub decision: Option<String>,
    /// What to change (required when requesting changes), or a word of thanks.
    pub feedback: Option<String>,
    /// The positions (from 0) of the checklist items the reviewer ticked.
    pub checked: Option<Vec<usize>>,
    /// Who decides, for a reviewer without an account (share links only).
    pub reviewer_name: Option<String>,
}

/// A valid decision with the checklist as ticked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub decision: Decision,
    pub feedback: Option<String>,
    pub checklist: Vec<ChecklistItem>,
}

/// One line of a review checklist and whether it was ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub item: String,
    pub checked: bool,
}

/// Validates a decision against the submission's checklist: feedback is required to
/// request changes, and approval needs every item ticked.
pub fn validate_decision(input: &DecisionInput, checklist: &[String]) -> Result<Decided, Invalid> {
    let mut e = Invalid::new();
    let decision = match input.decision.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("decision", "is required: approved or changes_requested");
            None
        }
        Some(d) => Decision::parse(d).or_else(|| {
            e.add("decision", "must be approved or changes_requested");
            None
        }),
    };
    let feedback = optional_text(&mut e, "feedback", input.feedback.as_deref(), MAX_NOTE);
    let checked = input.checked.clone().unwrap_or_default();
    if let Some(bad) = checked.iter().find(|i| **i >= checklist.len()) {
        e.add("checked", format!("item {bad} is not on the checklist (it has {} items)", checklist.len()));
    }
    let items: Vec<ChecklistItem> = checklist
        .iter()
        .enumerate()
        .map(|(i, item)| ChecklistItem { item: item.clone(), checked: checked.contains(&i) })
        .collect();
    match decision {
        Some(Decision::ChangesRequested) if feedback.is_none() => {
            e.add("feedback", "say what should change");
        }
        Some(Decision::Approved) => {
            let open: Vec<&str> = items.iter().filter(|i| !i.checked).map(|i| i.item.as_str()).collect();
            if !open.is_empty() {
                e.add(
                    "checked",
                    format!("tick every checklist item before approving; not ticked: {}", open.join("; ")),
                );
            }
        }
        _ => {}
    }
    match decision {
        Some(decision) if e.is_empty() => Ok(Decided { decision, feedback, checklist: items }),
        _ => Err(e),
    }
}

/// The requirements a review checklist is built from.
#[derive(Debug, Clone, Default)]
pub struct ChecklistSources<'a> {
    /// The brief's non-negotiables, one per item.
    pub non_negotiables: Vec<String>,
    /// Hashtags and mentions the caption must carry (campaign's and deliverable's).
    pub hashtags: &'a [String],
    pub mentions: &'a [String],
    pub link: Option<&'a str>,
    pub code: Option<&'a str>,
    pub disclosure_required: bool,
    /// Items of the workspace's review-checklist template.
    pub template_items: Vec<String>,
}

/// The checklist of a submission: the disclosure, each required hashtag, mention, link and
/// code, each non-negotiable of the brief, then the playbook's items — without repeats.
pub fn checklist(s: &ChecklistSources<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |item: String| {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
            out.push(item);
        }
    };
    if s.disclosure_required {
        push("The advertising disclosure is clear and up front".into());
    }
    for h in s.hashtags {
        push(format!("Carries the hashtag #{}", h.trim_start_matches('#')));
    }
    for m in s.mentions {
        push(format!("Mentions @{}", m.trim_start_matches('@')));
    }
    if let Some(l) = s.link {
        push(format!("Links to {l}"));
    }
    if let Some(c) = s.code {
        push(format!("Shows the code {c}"));
    }
    for n in &s.non_negotiables {
        push(format!("Non-negotiable: {n}"));
    }
    for t in &s.template_items {
        push(t.clone());
    }
    out
}

/// The list items (`<li>…</li>`) of a rendered checklist template, as plain text.
pub fn list_items(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<li").map(|i| i + from) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start + 1) else { break };
        let end = lower[open_end..].find("</li").map_or(lower.len(), |i| i + open_end);
        let text = plain_text(&html[open_end..end]);
        if !text.is_empty() {
            out.push(text);
        }
        from = end.max(open_end);
    }
    out
}

/// Tags dropped, the usual entities decoded, whitespace collapsed.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submission_needs_a_caption_a_link_or_a_file() {
        let e = validate_submission(&SubmissionInput::default()).unwrap_err();
        assert_eq!(e.message_for("caption"), Some("a draft needs a caption or script, a link or a file"));
        assert!(
            validate_submission(&SubmissionInput { file_ids: Some(vec!["fl_x".into()]), ..Default::default() }).is_ok()
        );
    }

    #[test]
    fn submission_links_must_be_web_addresses() {
        let e = validate_submission(&SubmissionInput {
            links: Some(vec!["https://drive.example.com/d/1".into(), "javascript:alert(1)".into()]),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            e.message_for("links"),
            Some("“javascript:alert(1)” must be a web address starting with https:// or http://")
        );
    }

    #[test]
    fn requesting_changes_needs_feedback() {
        let input = DecisionInput { decision: Some("changes_requested".into()), ..Default::default() };
        let e = validate_decision(&input, &[]).unwrap_err();
        assert_eq!(e.message_for("feedback"), Some("say what should change"));
    }

    #[test]
    fn approval_needs_every_checklist_item_ticked() {
        let list = vec!["Disclosure".to_string(), "Hashtag #spring".to_string()];
        let mut input =
            DecisionInput { decision: Some("approved".into()), checked: Some(vec![0]), ..Default::default() };
        let e = validate_decision(&input, &list).unwrap_err();
        assert_eq!(
            e.message_for("checked"),
            Some("tick every checklist item before approving; not ticked: Hashtag #spring")
        );
        input.checked = Some(vec![0, 1]);
        let d = validate_decision(&input, &list).unwrap();
        assert_eq!(d.decision, Decision::Approved);
        assert!(d.checklist.iter().all(|i| i.checked));
    }

    #[test]
    fn a_tick_outside_the_checklist_is_refused() {
        let input = DecisionInput { decision: Some("approved".into()), checked: Some(vec![3]), ..Default::default() };
        let e = validate_decision(&input, &["One".into()]).unwrap_err();
        assert_eq!(e.message_for("checked"), Some("item 3 is not on the checklist (it has 1 items)"));
    }

    #[test]
    fn the_checklist_gathers_requirements_without_repeats() {
        let tags = vec!["spring".to_string()];
        let list = checklist(&ChecklistSources {
            non_negotiables: vec!["Show the label".into()],
            hashtags: &tags,
            mentions: &["brand".to_string()],
            link: Some("https://shop.example.com"),
            code: Some("ANA10"),
            disclosure_required: true,
            template_items: vec!["Mentions @brand".into(), "No competitor products".into()],
        });
        assert_eq!(
            list,
            [
                "The advertising disclosure is clear and up front",
                "Carries the hashtag #spring",
                "Mentions @brand",
                "Links to https://shop.example.com",
                "Shows the code ANA10",
                "Non-negotiable: Show the label",
                "No competitor products",
            ]
        );
    }

    #[test]
    fn list_items_of_a_rendered_template_become_plain_text() {
        let html = "<h1>Review</h1><ul>\n<li>Disclosure (#ad) is <b>visible</b></li>\n<LI class=x>Link &amp; code</li><li> </li></ul>";
        assert_eq!(list_items(html), ["Disclosure (#ad) is visible", "Link & code"]);
    }
}
