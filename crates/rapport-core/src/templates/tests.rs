#![allow(clippy::unwrap_used)]

use super::*;

fn ctx() -> MergeContext {
    MergeContext {
        creator: CreatorFields::new("Ana Lima", Some(("Instagram", "anacooks"))),
        content: ContentFields::default(),
        campaign: CampaignFields::default(),
        sender: SenderFields { name: "Sam".into(), email: "sam@example.com".into() },
        unsubscribe_url: "https://example.com/u/1".into(),
    }
}

fn codes(r: &Rendered) -> Vec<&'static str> {
    r.warnings.iter().map(|w| w.code).collect()
}

#[test]
fn merge_fields_render_as_plain_text_in_emails() {
    let mut c = ctx();
    c.creator = CreatorFields::new("Ana & <b>Co</b>", Some(("YouTube", "@ana")));
    let r = render(TemplateKind::Email, "Hi {{ creator.first_name }}", "{{ creator.name }} @{{ creator.handle }}", &c)
        .unwrap();
    assert_eq!(r.subject, "Hi Ana");
    assert_eq!(r.body, "Ana & <b>Co</b> @ana", "no HTML escaping in a text email");
}

#[test]
fn merge_fields_are_html_escaped_in_briefs() {
    let mut c = ctx();
    c.creator = CreatorFields::new("Ana & <b>Co</b>", None);
    let r = render(TemplateKind::Brief, "", "<p>{{ creator.name }}</p>", &c).unwrap();
    assert_eq!(r.body, "<p>Ana &amp; &lt;b&gt;Co&lt;&#x2f;b&gt;</p>");
    assert_eq!(r.subject, "");
}

#[test]
fn the_subject_is_one_line() {
    let r = render(TemplateKind::Email, "Hi\n{{ creator.first_name }}  ", "x {{ creator.name }}", &ctx()).unwrap();
    assert_eq!(r.subject, "Hi Ana");
}

#[test]
fn block_tags_leave_no_blank_lines_in_text() {
    let body = "Hi {{ creator.first_name }},\n{% if content.url %}\nI saw {{ content.url }}\n{% endif %}\nBye";
    let r = render(TemplateKind::Email, "s", body, &ctx()).unwrap();
    assert_eq!(r.body, "Hi Ana,\nBye");
}

#[test]
fn first_names_are_the_first_word() {
    for (name, first) in [("Ana Lima", "Ana"), ("  Tim  ", "Tim"), ("TechWithTim", "TechWithTim"), ("", "")] {
        assert_eq!(first_name(name), first, "{name}");
    }
}

#[test]
fn check_names_the_part_and_line_of_a_syntax_error() {
    let e = check(TemplateKind::Email, "Hi {{ creator.first_name", "ok").unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].field, "subject");
    assert!(e.errors[0].message.starts_with("has a syntax error on line 1"), "{e:?}");
    let e = check(TemplateKind::Brief, "", "line one\n{% if x %}\nno end").unwrap_err();
    assert_eq!(e.errors[0].field, "body");
    assert!(e.errors[0].message.contains("syntax error on line"), "{e:?}");
}

#[test]
fn check_refuses_unknown_merge_fields_naming_them_and_the_line() {
    for (body, bad, line) in [
        ("Hi\n{{ creator.nmae }}", "creator.nmae", 2),
        ("{{ firstname }}", "firstname", 1),
        ("a\nb\n{% if creatr.name %}x{% endif %}", "creatr.name", 3),
        ("{% if false %}{{ sender.phone }}{% endif %}", "sender.phone", 1),
    ] {
        let e = check(TemplateKind::Email, "s", body).unwrap_err();
        let m = e.message_for("body").unwrap();
        assert!(m.contains(&format!("“{bad}” on line {line}, which is not a merge field")), "{body}: {m}");
    }
}

#[test]
fn check_accepts_every_merge_field_loops_and_filters() {
    let all: String = MERGE_FIELDS.iter().map(|f| format!("{{{{ {} }}}}\n", f.name)).collect();
    check(TemplateKind::Email, "{{ creator.first_name|upper }}", &all).unwrap();
    check(TemplateKind::ReviewChecklist, "", "{% for i in range(3) %}<li>{{ loop.index }}</li>{% endfor %}").unwrap();
}

#[test]
fn a_runaway_loop_runs_out_of_fuel_with_a_clear_message() {
    let body = "{% for i in range(1000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}";
    let e = check(TemplateKind::Email, "s", body).unwrap_err();
    assert!(e.message_for("body").unwrap().starts_with("takes too much work to render"), "{e:?}");
    let err = render(TemplateKind::Email, "s", body, &ctx()).unwrap_err();
    assert_eq!((err.field, err.kind), ("body", TemplateErrorKind::TooMuchWork));
}

#[test]
fn a_huge_range_is_refused() {
    let e = check(TemplateKind::Email, "s", "{% for i in range(100000000) %}x{% endfor %}").unwrap_err();
    assert_eq!(
        e.message_for("body"),
        Some("cannot be rendered on line 1: range() gives at most 1000 numbers in a template")
    );
    for ok in ["{{ range(1000)|length }}", "{{ range(5, 2005, 2)|length }}", "{{ range(10, 0, -1)|length }}"] {
        check(TemplateKind::Email, "s", ok).unwrap();
    }
    assert!(check(TemplateKind::Email, "s", "{{ range(0, 2000, 1)|length }}").is_err());
}

#[test]
fn the_subject_is_ignored_for_kinds_without_one() {
    check(TemplateKind::Brief, "{{ broken", "<p>ok</p>").unwrap();
}

#[test]
fn personalisation_warnings() {
    let with_content = || {
        let mut c = ctx();
        c.content = ContentFields { title: "Pasta in 5".into(), url: "https://x.test/p".into() };
        c
    };
    let no_handle = || {
        let mut c = ctx();
        c.creator = CreatorFields::new("Ana Lima", None);
        c
    };
    let cases: Vec<(&str, &str, MergeContext, Vec<&str>)> = vec![
        ("Hello", "Dear creator, we love your work.", ctx(), vec!["no_creator_reference"]),
        ("Hello {{ sender.name }}", "{{ campaign.name }}", ctx(), vec!["no_creator_reference", "blank_field"]),
        ("Hi {{ creator.first_name }}", "We love your work.", ctx(), vec![]),
        ("Hi", "Saw @{{ creator.handle }}", ctx(), vec![]),
        ("Hi", "Loved “{{ content.title }}”", with_content(), vec![]),
        ("Hi", "Loved “{{ content.title }}”", ctx(), vec!["creator_not_in_message", "blank_field"]),
        ("Hi", "Saw @{{ creator.handle }}", no_handle(), vec!["creator_not_in_message", "blank_field"]),
        ("Hi", "{% if false %}{{ creator.name }}{% endif %}Hello", ctx(), vec!["creator_not_in_message"]),
        ("Hi {{ creator.first_name }}", "Stop: {{ unsubscribe_url }}", ctx(), vec![]),
    ];
    for (subject, body, c, expected) in cases {
        let r = render(TemplateKind::Email, subject, body, &c).unwrap();
        assert_eq!(codes(&r), expected, "{subject} / {body}");
    }
}

#[test]
fn warnings_say_why_in_plain_words() {
    let r = render(TemplateKind::Email, "Hi", "Loved {{ content.title }}", &ctx()).unwrap();
    assert!(r.warnings[0].message.contains("for Ana Lima mentions neither their name"), "{r:?}");
    assert_eq!(r.warnings[1].message, "{{ content.title }} comes out blank: no piece of content was chosen.");
}

#[test]
fn briefs_and_checklists_are_not_checked_for_personalisation() {
    let r = render(TemplateKind::Brief, "", "<p>Deliverables</p>", &ctx()).unwrap();
    assert!(r.warnings.is_empty());
}

#[test]
fn kinds_round_trip_through_their_slugs() {
    for k in TemplateKind::ALL {
        assert_eq!(TemplateKind::parse(k.slug()), Some(k));
    }
    assert_eq!(TemplateKind::parse("letter"), None);
}

#[test]
fn output_built_by_filters_counts_against_the_fuel() {
    for body in [
        format!("{{{{ range(1000)|join('{}') }}}}", "x".repeat(5000)),
        "{{ creator.name * 10000000 }}".to_string(),
        "{% for i in range(1000) %}{{ range(1000)|sort|reverse|list|length }}{% endfor %}".to_string(),
    ] {
        let e = render(TemplateKind::Email, "s", &body, &ctx()).unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::TooMuchWork, "{}", &body[..40]);
    }
}
