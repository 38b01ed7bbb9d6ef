//! The edge rules of the disclosure check, one behaviour per test. The labelled corpus of
//! realistic captions is in `tests/disclosure_corpus.rs`.

use super::*;
use DisclosureProfile::{EuDe, Uk, Us};
use Verdict::{Fail, NeedsReview, Pass};

fn req(profile: DisclosureProfile) -> Requirements {
    Requirements::new(profile)
}

fn gifted(profile: DisclosureProfile) -> Requirements {
    Requirements { paid: false, ..Requirements::new(profile) }
}

fn finding<'a>(r: &'a Report, rule: &str) -> &'a Finding {
    r.findings.iter().find(|f| f.rule == rule).unwrap_or_else(|| panic!("no {rule} in {r:?}"))
}

#[test]
fn a_clear_disclosure_up_front_passes_every_rule() {
    let r = check("#ad My summer glow routine ☀️", &req(Us));
    assert_eq!(r.overall, Pass);
    assert_eq!(r.verdict_of(RULE_PRESENT), Some(Pass));
    assert_eq!(r.verdict_of(RULE_VISIBLE), Some(Pass));
    assert_eq!(r.verdict_of(RULE_AMBIGUOUS), None);
    assert!(finding(&r, RULE_VISIBLE).reason.contains("character 1"), "{r:?}");
}

#[test]
fn no_disclosure_fails_and_says_what_to_add_for_the_profile() {
    let r = check("My summer glow routine ☀️", &req(EuDe));
    assert_eq!((r.overall, r.verdict_of(RULE_VISIBLE)), (Fail, None));
    assert!(finding(&r, RULE_PRESENT).reason.contains("Werbung"), "{r:?}");
}

#[test]
fn hashtags_that_only_start_like_ad_are_not_a_disclosure() {
    for caption in ["#adventure time", "#advertisingagency life", "#Adidas drop", "#adlife"] {
        assert_eq!(check(caption, &req(Us)).verdict_of(RULE_PRESENT), Some(Fail), "{caption}");
    }
}

#[test]
fn the_match_ignores_case_and_unicode_is_counted_in_characters() {
    // 120 multi-byte characters, then the disclosure at character 121: visible by characters,
    // though far past byte 125.
    let caption = format!("{} #AD", "ü".repeat(60) + &"🌞".repeat(60));
    let r = check(&format!("{caption}\nsecond line"), &req(Us));
    assert_eq!(r.verdict_of(RULE_VISIBLE), Some(Pass), "{r:?}");
    assert!(finding(&r, RULE_VISIBLE).reason.contains("character 122"), "{r:?}");
}

#[test]
fn a_disclosure_past_the_fold_and_off_the_first_line_fails_visibility_with_its_position() {
    let caption = format!("Morning routine\n{}\n#ad", "Step by step. ".repeat(12));
    let r = check(&caption, &req(Us));
    assert_eq!((r.verdict_of(RULE_PRESENT), r.overall), (Some(Pass), Fail));
    let reason = &finding(&r, RULE_VISIBLE).reason;
    assert!(reason.contains("character 186") && reason.contains("first 125"), "{reason}");
}

#[test]
fn a_disclosure_on_a_long_first_line_is_visible() {
    let caption = format!("{} Paid partnership with @glowco\nmore", "Long first line. ".repeat(10));
    assert_eq!(check(&caption, &req(Us)).verdict_of(RULE_VISIBLE), Some(Pass));
}

#[test]
fn the_visible_length_is_a_requirement() {
    let caption = "Hello there, friends\nsecond line #ad";
    let short = Requirements { visible_chars: 10, ..req(Us) };
    assert_eq!(check(caption, &req(Us)).verdict_of(RULE_VISIBLE), Some(Pass));
    assert_eq!(check(caption, &short).verdict_of(RULE_VISIBLE), Some(Fail));
}

#[test]
fn a_disclosure_buried_in_the_trailing_hashtag_block_fails_even_within_the_fold() {
    let r = check("Love it! #summer #glow #ad #skincare", &req(Us));
    let reason = &finding(&r, RULE_VISIBLE).reason;
    assert_eq!(r.overall, Fail);
    assert!(reason.contains("block of 4 hashtags") && reason.contains("character 10"), "{reason}");
}

#[test]
fn a_caption_made_only_of_hashtags_may_start_with_the_disclosure() {
    assert_eq!(check("#ad #summer #glow #skincare", &req(Us)).overall, Pass);
    assert_eq!(check("#summer #ad #glow #skincare", &req(Us)).verdict_of(RULE_VISIBLE), Some(Fail));
}

#[test]
fn two_hashtags_at_the_end_are_not_a_block() {
    assert_eq!(check("Love it! #glow #ad", &req(Us)).overall, Pass);
}

#[test]
fn one_visible_clear_disclosure_is_enough_when_another_is_buried() {
    let r = check("Ad: new drop\n\n#a #b #c #ad", &req(Uk));
    assert_eq!(r.overall, Pass, "{r:?}");
}

#[test]
fn ambiguous_tokens_need_review_in_the_us_and_fail_in_the_uk() {
    let us = check("#sp new drop", &req(Us));
    let uk = check("#sp new drop", &req(Uk));
    assert_eq!((us.verdict_of(RULE_PRESENT), us.verdict_of(RULE_AMBIGUOUS)), (Some(NeedsReview), Some(NeedsReview)));
    assert_eq!((uk.verdict_of(RULE_PRESENT), uk.verdict_of(RULE_AMBIGUOUS)), (Some(Fail), Some(Fail)));
    assert!(finding(&uk, RULE_AMBIGUOUS).reason.contains("“#sp”"), "{uk:?}");
}

#[test]
fn an_ambiguous_token_next_to_a_clear_visible_disclosure_passes() {
    let r = check("#ad #collab with @glowco", &req(Us));
    assert_eq!((r.overall, r.verdict_of(RULE_AMBIGUOUS)), (Pass, Some(Pass)));
    assert!(finding(&r, RULE_AMBIGUOUS).reason.contains("“#ad”"), "{r:?}");
}

#[test]
fn an_ambiguous_token_is_reported_once() {
    let r = check("#collab new drop #Collab again", &req(Us));
    assert_eq!(r.findings.iter().filter(|f| f.rule == RULE_AMBIGUOUS).count(), 1);
}

#[test]
fn gifted_counts_for_gifted_content_but_not_for_paid_content() {
    assert_eq!(check("#gifted new serum", &gifted(Us)).overall, Pass);
    assert_eq!(check("#gifted new serum", &req(Us)).overall, NeedsReview);
    assert_eq!(check("#gifted new serum", &gifted(Uk)).overall, Pass);
    assert_eq!(check("#gifted new serum", &req(Uk)).overall, Fail);
    assert_eq!(check("#gifted new serum", &gifted(EuDe)).overall, NeedsReview);
}

#[test]
fn thanks_to_a_brand_is_ambiguous() {
    let r = check("thanks @glowco for the gift 💛", &gifted(Us));
    assert_eq!(r.overall, NeedsReview);
    assert!(finding(&r, RULE_AMBIGUOUS).reason.contains("“thanks”"), "{r:?}");
}

#[test]
fn german_labels_are_clear_in_germany_and_english_ad_needs_review() {
    assert_eq!(check("Anzeige | Mein Sommer-Look", &req(EuDe)).overall, Pass);
    assert_eq!(check("*Werbung* Mein Sommer-Look", &req(EuDe)).overall, Pass);
    assert_eq!(check("#ad Mein Sommer-Look", &req(EuDe)).overall, NeedsReview);
    assert_eq!(check("Werbung: my summer look", &req(Us)).overall, NeedsReview);
}

#[test]
fn compounds_of_werbung_do_not_count() {
    let r = check("Steuertipp: Werbungskosten absetzen! #werbungskosten", &req(EuDe));
    assert_eq!(r.verdict_of(RULE_PRESENT), Some(Fail));
}

#[test]
fn unpaid_advertising_is_clear_for_a_gift_and_contradicts_paid_content_in_germany() {
    assert_eq!(check("Unbezahlte Werbung – neues Serum", &gifted(EuDe)).overall, Pass);
    let paid = check("Unbezahlte Werbung – neues Serum", &req(EuDe));
    assert_eq!((paid.verdict_of(RULE_PRESENT), paid.verdict_of(RULE_AMBIGUOUS)), (Some(Fail), Some(Fail)));
}

#[test]
fn saying_not_sponsored_fails_even_next_to_a_clear_disclosure() {
    let r = check("#ad honestly this is not sponsored", &req(Us));
    assert_eq!((r.verdict_of(RULE_PRESENT), r.verdict_of(RULE_AMBIGUOUS)), (Some(Pass), Some(Fail)));
    assert_eq!(check("Keine Werbung, einfach Liebe", &gifted(EuDe)).overall, Fail);
}

#[test]
fn required_hashtags_and_mentions_compare_without_sigil_or_case() {
    let want = Requirements {
        required_hashtags: vec!["#SummerGlow".into(), "glowco".into(), "  ".into()],
        required_mentions: vec!["@GlowCo".into(), "über.brand".into()],
        ..req(Us)
    };
    let r = check("#ad #summerglow with @glowco.", &want);
    let verdicts: Vec<(&str, Verdict)> = r.findings[2..].iter().map(|f| (f.rule, f.verdict)).collect();
    assert_eq!(
        verdicts,
        [(RULE_HASHTAG, Pass), (RULE_HASHTAG, Fail), (RULE_MENTION, Pass), (RULE_MENTION, Fail)],
        "{r:?}"
    );
    assert!(r.findings[3].reason.contains("#glowco") && r.findings[5].reason.contains("@über.brand"), "{r:?}");
}

#[test]
fn a_required_hashtag_is_matched_whole() {
    let want = Requirements { required_hashtags: vec!["glow".into()], ..req(Us) };
    assert_eq!(check("#ad #glowco", &want).verdict_of(RULE_HASHTAG), Some(Fail));
}

#[test]
fn an_empty_caption_fails() {
    assert_eq!(check("", &req(Uk)).overall, Fail);
}

#[test]
fn verdicts_serialise_as_their_slugs() {
    for v in Verdict::ALL {
        assert_eq!(serde_json::to_value(v).ok(), Some(serde_json::json!(v.slug())));
        assert_eq!(Verdict::parse(v.slug()), Some(v));
    }
    assert!(Pass < NeedsReview && NeedsReview < Fail);
}
