//! The disclosure check against a labelled corpus of realistic captions in English and
//! German (`fixtures/disclosure/captions.txt`; its opening note explains the format). Every
//! case's overall verdict and each labelled rule's verdict must match; all mismatches are
//! reported together.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rapport_core::campaigns::DisclosureProfile;
use rapport_core::disclosure::{RULES, Requirements, Verdict, check};

const CORPUS: &str = include_str!("fixtures/disclosure/captions.txt");

struct Case {
    id: String,
    lang: String,
    req: Requirements,
    expect: Verdict,
    /// (rule, verdict); `None` means the rule reports nothing.
    rules: Vec<(String, Option<Verdict>)>,
    caption: String,
}

fn verdict(s: &str, id: &str) -> Verdict {
    Verdict::parse(s).unwrap_or_else(|| panic!("{id}: unknown verdict {s:?}"))
}

fn parse_case(block: &str) -> Case {
    let (head, caption) = block.split_once("\ncaption:\n").expect("a case has a caption: line");
    let mut lines = head.lines();
    let title = lines.next().unwrap();
    let id = title.split('|').next().unwrap().trim().to_string();
    let field = |name: &str| -> Option<String> {
        head.lines().skip(1).find_map(|l| l.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_string()))
    };
    let need = |v: Option<String>, name: &str| v.unwrap_or_else(|| panic!("{id}: no {name}:"));
    let profile = need(field("profile"), "profile");
    let profile = DisclosureProfile::parse(&profile).unwrap_or_else(|| panic!("{id}: profile {profile}"));
    let paid = match need(field("content"), "content").as_str() {
        "paid" => true,
        "gifted" => false,
        other => panic!("{id}: content {other}"),
    };
    let words = |v: Option<String>| -> Vec<String> {
        v.map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default()
    };
    let req = Requirements {
        required_hashtags: words(field("hashtags")),
        required_mentions: words(field("mentions")),
        paid,
        ..Requirements::new(profile)
    };
    let expect = verdict(&need(field("expect"), "expect"), &id);
    let rules = words(field("rules"))
        .into_iter()
        .map(|pair| {
            let (rule, v) = pair.split_once('=').unwrap_or_else(|| panic!("{id}: rule {pair}"));
            assert!(RULES.contains(&rule), "{id}: unknown rule {rule}");
            (rule.to_string(), if v == "none" { None } else { Some(verdict(v, &id)) })
        })
        .collect();
    let lang = need(field("lang"), "lang");
    Case { id, lang, req, expect, rules, caption: caption.trim_end_matches('\n').to_string() }
}

fn corpus() -> Vec<Case> {
    CORPUS.split("\n=== ").skip(1).map(parse_case).collect()
}

#[test]
fn every_labelled_caption_gets_its_labelled_verdicts() {
    let mut wrong = Vec::new();
    for case in corpus() {
        let report = check(&case.caption, &case.req);
        if report.overall != case.expect {
            wrong
                .push(format!("{}: overall {:?}, labelled {:?}\n  {:?}", case.id, report.overall, case.expect, report));
        }
        for (rule, want) in &case.rules {
            let got = report.verdict_of(rule);
            if got != *want {
                wrong.push(format!("{}: {rule} {got:?}, labelled {want:?}\n  {:?}", case.id, report.findings));
            }
        }
    }
    assert!(wrong.is_empty(), "{} mismatch(es):\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_corpus_is_big_enough_bilingual_and_covers_each_profile_and_verdict() {
    let cases = corpus();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    assert!(cases.iter().filter(|c| c.lang == "de").count() >= 20);
    assert!(cases.iter().all(|c| c.lang == "de" || c.lang == "en"));
    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), cases.len(), "case ids are unique");
    for profile in DisclosureProfile::ALL {
        for v in Verdict::ALL {
            let n = cases.iter().filter(|c| c.req.profile == profile && c.expect == v).count();
            assert!(n > 0, "no {v:?} case for {profile:?}");
        }
    }
    for case in &cases {
        assert!(!case.caption.trim().is_empty(), "{}: empty caption", case.id);
        assert!(case.rules.iter().any(|(r, _)| r == "disclosure_present"), "{}: label disclosure_present", case.id);
    }
}
