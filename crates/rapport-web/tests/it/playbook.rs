//! The workspace playbook, through the API and the `/playbook` pages: templates checked
//! before they are saved (syntax, merge fields, fuel), previews against a real creator with
//! text or HTML escaping by kind, personalisation warnings, viewers, read keys, CSRF and
//! tenant isolation.

use crate::harness::{Api, Browser, TestApp, csrf_in};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

crate::db_tests!(
    a_template_is_created_read_listed_edited_and_deleted,
    a_syntax_error_is_refused_naming_the_part_and_the_line,
    an_unknown_merge_field_is_refused_naming_it,
    missing_fields_and_a_subject_on_a_brief_are_refused_naming_each,
    a_duplicate_name_is_refused_until_the_other_template_is_deleted,
    a_runaway_loop_is_refused_quickly_and_the_server_stays_responsive,
    a_preview_renders_the_creators_first_name_and_largest_handle,
    html_in_a_creators_name_stays_plain_in_email_text_and_is_escaped_in_briefs,
    the_preview_warns_when_the_template_never_refers_to_the_creator,
    the_preview_uses_the_chosen_content_and_campaign_and_checks_them,
    another_workspaces_templates_and_creators_answer_404,
    a_read_key_reads_and_previews_but_cannot_change_templates,
    the_openapi_document_describes_the_playbook,
    the_playbook_page_lists_templates_by_kind,
    the_form_saves_a_template_and_shows_its_preview,
    a_bad_template_form_is_shown_again_with_inline_errors_and_what_was_typed,
    the_preview_button_renders_without_saving,
    the_live_preview_fragment_escapes_html_once,
    viewers_read_and_preview_templates_but_cannot_change_them,
    the_playbook_forms_need_the_csrf_token,
    playbook_pages_answer_404_for_another_workspaces_templates_and_creators,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn fields(v: &Value) -> Vec<&str> {
    v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect()
}

fn message(v: &Value, field: &str) -> String {
    let f = v["fields"].as_array().unwrap().iter().find(|f| f["field"] == field);
    f.map(|f| f["message"].as_str().unwrap().to_owned()).unwrap_or_default()
}

fn warnings(v: &Value) -> Vec<&str> {
    v["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect()
}

fn email(name: &str, subject: &str, body: &str) -> Value {
    json!({"kind": "email", "name": name, "subject": subject, "body": body})
}

async fn template(api: &Api, body: Value) -> Value {
    let (s, v) = api.post("/playbook/templates", body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// A creator with a small and a large account (@AnaCooks on Instagram for “Ana …”).
async fn ana(api: &Api, name: &str) -> String {
    let handle: String =
        name.split_whitespace().next().unwrap().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    id(&api
        .creator(json!({"display_name": name, "social_accounts": [
            {"platform": "tiktok", "handle": format!("@{handle}_small"), "followers": 900},
            {"platform": "instagram", "handle": format!("@{handle}Cooks"), "followers": 52000}
        ]}))
        .await)
}

async fn preview(api: &Api, template: &str, body: Value) -> (StatusCode, Value) {
    api.post(&format!("/playbook/templates/{template}/preview"), body).await
}

const HELLO: &str =
    "Hi {{ creator.first_name }} (@{{ creator.handle }} on {{ creator.platform }}),\nBest, {{ sender.name }}";

async fn a_template_is_created_read_listed_edited_and_deleted(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let t = template(&api, email(" First outreach ", "Hello {{ creator.first_name }}", HELLO)).await;
    assert_eq!((t["name"].as_str(), t["kind"].as_str()), (Some("First outreach"), Some("email")));
    assert!(id(&t).starts_with("tpl_"));
    let (s, got) = api.get(&format!("/playbook/templates/{}", id(&t))).await;
    assert_eq!((s, got["body"].as_str()), (StatusCode::OK, Some(HELLO)));
    template(&api, json!({"kind": "brief", "name": "Brief", "body": "<p>{{ creator.name }}</p>"})).await;
    let (_, list) = api.get("/playbook/templates?kind=brief").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(api.get("/playbook/templates").await.1.as_array().unwrap().len(), 2);
    assert_eq!(fields(&api.get("/playbook/templates?kind=letter").await.1), ["kind"]);
    let (s, v) = api.patch(&format!("/playbook/templates/{}", id(&t)), json!({"name": "Outreach v2"})).await;
    assert_eq!(
        (s, v["name"].as_str(), v["subject"].clone()),
        (StatusCode::OK, Some("Outreach v2"), t["subject"].clone())
    );
    let (s, v) = api.patch(&format!("/playbook/templates/{}", id(&t)), json!({"kind": "review_checklist"})).await;
    assert_eq!((s, v["subject"].clone()), (StatusCode::OK, Value::Null), "{v}");
    assert_eq!(api.delete(&format!("/playbook/templates/{}", id(&t))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&format!("/playbook/templates/{}", id(&t))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.delete(&format!("/playbook/templates/{}", id(&t))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/playbook/templates").await.1.as_array().unwrap().len(), 1);
}

async fn a_syntax_error_is_refused_naming_the_part_and_the_line(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.post("/playbook/templates", email("x", "ok", "Hi\nthere {% if %}\nbye")).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body"]), "{v}");
    assert!(message(&v, "body").starts_with("has a syntax error on line 2"), "{v}");
    let (s, v) = api.post("/playbook/templates", email("x", "Hi {% if %}", "fine")).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["subject"]));
    assert!(message(&v, "subject").contains("line 1"), "{v}");
    let t = template(&api, email("ok", "Hi", HELLO)).await;
    let (s, v) = api.patch(&format!("/playbook/templates/{}", id(&t)), json!({"body": "{% for x in y %}"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body"]));
    assert_eq!(api.get(&format!("/playbook/templates/{}", id(&t))).await.1["body"], HELLO, "unchanged");
}

async fn an_unknown_merge_field_is_refused_naming_it(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.post("/playbook/templates", email("x", "Hi", "Hello\n{{ creator.frist_name }}")).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body"]));
    assert!(message(&v, "body").starts_with("uses “creator.frist_name” on line 2, which is not a merge field"), "{v}");
    let (s, v) = api.post("/playbook/templates", email("x", "{{ name }}", "Hello")).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["subject"]));
    assert!(message(&v, "subject").contains("“name”"));
    assert_eq!(api.get("/playbook/templates").await.1, json!([]));
}

async fn missing_fields_and_a_subject_on_a_brief_are_refused_naming_each(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.post("/playbook/templates", json!({"kind": "email", "name": "  ", "body": ""})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name", "body", "subject"]), "{v}");
    let (s, v) =
        api.post("/playbook/templates", json!({"kind": "brief", "name": "b", "subject": "x", "body": "y"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["subject"]));
    let (s, v) = api.post("/playbook/templates", json!({"kind": "letter", "name": "b", "body": "y"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind"]));
    let (s, v) = api.post("/playbook/templates", json!({"name": "b", "body": "y", "colour": "red"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["colour"]));
    let long = "x".repeat(101);
    let (s, v) = api.post("/playbook/templates", json!({"kind": "brief", "name": long, "body": "y"})).await;
    assert_eq!((s, message(&v, "name").as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "must be at most 100 characters"));
}

async fn a_duplicate_name_is_refused_until_the_other_template_is_deleted(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let first = template(&api, email("Follow-up", "Hi", HELLO)).await;
    let (s, v) = api.post("/playbook/templates", email("follow-UP", "Hi", HELLO)).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name"]));
    assert_eq!(message(&v, "name"), "is already the name of another email template");
    template(&api, json!({"kind": "brief", "name": "Follow-up", "body": "b"})).await;
    let other = template(&api, email("Other", "Hi", HELLO)).await;
    let (s, v) = api.patch(&format!("/playbook/templates/{}", id(&other)), json!({"name": "Follow-up"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name"]));
    let (s, _) = api.patch(&format!("/playbook/templates/{}", id(&first)), json!({"name": "Follow-up"})).await;
    assert_eq!(s, StatusCode::OK, "its own name is fine");
    api.delete(&format!("/playbook/templates/{}", id(&first))).await;
    template(&api, email("Follow-up", "Hi", HELLO)).await;
    let (b, _) = app.api_in_new_workspace("Beta").await;
    template(&b, email("Follow-up", "Hi", HELLO)).await;
}

async fn a_runaway_loop_is_refused_quickly_and_the_server_stays_responsive(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let runaway = "{% for i in range(1000) %}{% for j in range(1000) %}{{ creator.name }}{% endfor %}{% endfor %}";
    let started = Instant::now();
    let (s, v) = api.post("/playbook/templates", email("Loop", "Hi", runaway)).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body"]));
    assert!(message(&v, "body").starts_with("takes too much work to render"), "{v}");
    assert!(started.elapsed() < Duration::from_secs(5), "stopped by fuel, not by a timeout");
    let (s, v) =
        api.post("/playbook/templates", email("Huge", "Hi", "{% for i in range(100000000) %}x{% endfor %}")).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body"]));
    assert!(message(&v, "body").contains("range() gives at most 1000 numbers"), "{v}");
    assert_eq!(api.get("/playbook/templates").await.0, StatusCode::OK, "the server still answers");
}

async fn a_preview_renders_the_creators_first_name_and_largest_handle(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let creator = ana(&api, "Ana Lima").await;
    let t = template(&api, email("Hello", "Hello {{ creator.first_name }}", HELLO)).await;
    let (s, v) = preview(&api, &id(&t), json!({"creator_id": creator})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["subject"], "Hello Ana");
    assert!(v["body"].as_str().unwrap().starts_with("Hi Ana (@AnaCooks on Instagram),"), "{v}");
    assert_eq!((v["creator_id"].as_str(), v["kind"].as_str()), (Some(creator.as_str()), Some("email")));
    assert_eq!(warnings(&v), ["blank_field"], "an API key has no sender name: {v}");
}

async fn html_in_a_creators_name_stays_plain_in_email_text_and_is_escaped_in_briefs(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let creator = ana(&api, "Ana <b>&</b> Co").await;
    let e = template(&api, email("Hello", "Hi {{ creator.name }}", "Dear {{ creator.name }}")).await;
    let (_, v) = preview(&api, &id(&e), json!({"creator_id": creator})).await;
    assert_eq!((v["subject"].as_str(), v["body"].as_str()), (Some("Hi Ana <b>&</b> Co"), Some("Dear Ana <b>&</b> Co")));
    let b = template(&api, json!({"kind": "brief", "name": "B", "body": "<h1>{{ creator.name }}</h1>"})).await;
    let (_, v) = preview(&api, &id(&b), json!({"creator_id": creator})).await;
    assert_eq!(v["body"], "<h1>Ana &lt;b&gt;&amp;&lt;&#x2f;b&gt; Co</h1>");
    assert_eq!((v["subject"].as_str(), warnings(&v).len()), (Some(""), 0));
}

async fn the_preview_warns_when_the_template_never_refers_to_the_creator(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let creator = ana(&api, "Ana Lima").await;
    let generic = template(&api, email("Generic", "Hello", "Dear creator, we love your work.")).await;
    let (_, v) = preview(&api, &id(&generic), json!({"creator_id": creator})).await;
    assert_eq!(warnings(&v), ["no_creator_reference"]);
    assert!(v["warnings"][0]["message"].as_str().unwrap().contains("reads like a mass mailing"));
    let personal =
        template(&api, email("Personal", "Hello {{ creator.first_name }}", "We love @{{ creator.handle }}.")).await;
    let (_, v) = preview(&api, &id(&personal), json!({"creator_id": creator})).await;
    assert_eq!(warnings(&v), Vec::<&str>::new());
}

async fn the_preview_uses_the_chosen_content_and_campaign_and_checks_them(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let creator = ana(&api, "Ana Lima").await;
    let body = "I loved “{{ content.title }}” ({{ content.url }}) — {{ campaign.name }}";
    let t = template(&api, email("Content", "Hi", body)).await;
    let input = json!({"creator_id": creator, "content_title": "Pasta in 5", "content_url": "https://ig.test/p/1",
        "campaign_name": "Spring"});
    let (s, v) = preview(&api, &id(&t), input).await;
    assert_eq!((s, v["body"].as_str()), (StatusCode::OK, Some("I loved “Pasta in 5” (https://ig.test/p/1) — Spring")));
    assert_eq!(warnings(&v), Vec::<&str>::new());
    let (_, v) = preview(&api, &id(&t), json!({"creator_id": creator})).await;
    assert_eq!(warnings(&v), ["creator_not_in_message", "blank_field", "blank_field", "blank_field"], "{v}");
    let (s, v) = preview(&api, &id(&t), json!({"creator_id": "nope", "content_url": "javascript:alert(1)"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["creator_id", "content_url"]));
    let (s, v) = preview(&api, &id(&t), json!({})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["creator_id"]));
}

async fn another_workspaces_templates_and_creators_answer_404(app: TestApp) {
    let (a, _) = app.api_in_new_workspace("Acme").await;
    let theirs = ana(&a, "Ana Lima").await;
    let t = id(&template(&a, email("Hello", "Hi", HELLO)).await);
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let mine = id(&template(&b, email("Mine", "Hi", HELLO)).await);
    assert_eq!(b.get(&format!("/playbook/templates/{t}")).await.0, StatusCode::NOT_FOUND);
    let (s, v) = b.patch(&format!("/playbook/templates/{t}"), json!({"name": ""})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "whatever the body");
    assert_eq!(b.delete(&format!("/playbook/templates/{t}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(preview(&b, &t, json!({"creator_id": theirs})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(preview(&b, &mine, json!({"creator_id": theirs})).await.0, StatusCode::NOT_FOUND, "their creator");
    assert_eq!(b.get("/playbook/templates").await.1.as_array().unwrap().len(), 1);
    assert_eq!(a.get(&format!("/playbook/templates/{t}")).await.1["name"], "Hello", "nothing changed");
}

async fn a_read_key_reads_and_previews_but_cannot_change_templates(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let creator = ana(&api, "Ana Lima").await;
    let t = id(&template(&api, email("Hello", "Hi", HELLO)).await);
    let read = app.api(&app.key(p.workspace, "read").await);
    assert_eq!(read.post("/playbook/templates", email("x", "Hi", HELLO)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.patch(&format!("/playbook/templates/{t}"), json!({"name": "y"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.delete(&format!("/playbook/templates/{t}")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.get(&format!("/playbook/templates/{t}")).await.1["name"], "Hello");
    assert_eq!(preview(&read, &t, json!({"creator_id": creator})).await.0, StatusCode::OK);
    assert_eq!(read.get("/playbook/merge-fields").await.1[0]["name"], "creator.first_name");
}

async fn the_openapi_document_describes_the_playbook(app: TestApp) {
    let v: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let p = &v["paths"];
    assert!(p["/playbook/templates"]["get"].is_object() && p["/playbook/templates"]["post"].is_object());
    let one = &p["/playbook/templates/{id}"];
    assert!(one["get"].is_object() && one["patch"].is_object() && one["delete"].is_object());
    assert!(p["/playbook/templates/{id}/preview"]["post"].is_object());
    assert!(
        v["components"]["schemas"]["PreviewView"].is_object()
            && v["components"]["schemas"]["TemplateInput"].is_object()
    );
}

/// An owner with an API key and a signed-in browser, a creator and an email template.
async fn owner_with_template(app: &TestApp) -> (Api, Browser, String, String) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let creator = ana(&api, "Ana Lima").await;
    let t = id(&template(&api, email("First outreach", "Hello {{ creator.first_name }}", HELLO)).await);
    (api, app.signed_in(&p).await, creator, t)
}

async fn the_playbook_page_lists_templates_by_kind(app: TestApp) {
    let (api, b, _, t) = owner_with_template(&app).await;
    template(&api, json!({"kind": "review_checklist", "name": "Draft review", "body": "<li>Disclosure</li>"})).await;
    let (s, page) = b.get("/playbook").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("href=\"/playbook\" aria-current=\"page\""), "the nav links the playbook");
    let email_at = page.find("Email templates").unwrap();
    let checklist_at = page.find("Review checklist templates").unwrap();
    let first = page.find("First outreach").unwrap();
    let review = page.find("Draft review").unwrap();
    assert!(email_at < first && first < checklist_at && checklist_at < review);
    assert!(page.contains(&format!("href=\"/playbook/{t}\"")) && page.contains("Hello {{ creator.first_name }}"));
}

async fn the_form_saves_a_template_and_shows_its_preview(app: TestApp) {
    let (api, b, creator, _) = owner_with_template(&app).await;
    let (s, page) = b.get("/playbook/new?kind=email").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<option value=\"email\" selected>") && page.contains("Ana Lima"));
    let form = [
        ("kind", "email"),
        ("name", "Follow-up"),
        ("subject", "Re: {{ creator.first_name }}"),
        ("body", "Hi {{ creator.first_name }}, any news?"),
        ("creator_id", creator.as_str()),
        ("intent", "save"),
    ];
    let (s, location) = b.submit("/playbook", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{location}");
    let (_, list) = api.get("/playbook/templates").await;
    let saved = list.as_array().unwrap().iter().find(|t| t["name"] == "Follow-up").unwrap();
    assert_eq!(location, format!("/playbook/{}", id(saved)));
    let (_, page) = b.get(&location).await;
    assert!(
        page.contains("Template saved.") && page.contains("Hi Ana, any news?") && page.contains("Re: Ana"),
        "{page}"
    );
    let edit = [
        ("kind", "email"),
        ("name", "Follow-up 2"),
        ("subject", "Re"),
        ("body", "Hi {{ creator.name }}"),
        ("intent", "save"),
    ];
    assert_eq!(b.submit(&location, &edit).await.0, StatusCode::SEE_OTHER);
    assert_eq!(api.get(&format!("/playbook/templates/{}", id(saved))).await.1["name"], "Follow-up 2");
    let (s, to) = b.submit(&format!("{location}/delete"), &[]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/playbook"));
    assert_eq!(api.get(&format!("/playbook/templates/{}", id(saved))).await.0, StatusCode::NOT_FOUND);
}

async fn a_bad_template_form_is_shown_again_with_inline_errors_and_what_was_typed(app: TestApp) {
    let (api, b, _, _) = owner_with_template(&app).await;
    let body = "Hi {{ creator.first_name }}\n{% if content.url %}\nno end";
    let form = [
        ("kind", "email"),
        ("name", "First outreach"),
        ("subject", "Hi {{ creatr.name }}"),
        ("body", body),
        ("intent", "save"),
    ];
    let (s, page) = b.submit("/playbook", &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Subject uses “creatr.name” on line 1, which is not a merge field"), "{page}");
    assert!(page.contains("Body has a syntax error on line"), "{page}");
    assert!(page.contains("<a href=\"#f-subject\">Subject uses “creatr.name”"), "the summary links the field");
    assert!(
        page.contains("Hi {{ creator.first_name }}\n{% if content.url %}\nno end</textarea>"),
        "what was typed stays"
    );
    assert!(page.contains("value=\"Hi {{ creatr.name }}\""));
    let (s, page) = b
        .submit(
            "/playbook",
            &[
                ("kind", "email"),
                ("name", "First outreach"),
                ("subject", "x"),
                ("body", "Hi {{ creator.name }}"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Name is already the name of another email template"), "{page}");
    let (s, page) = b
        .submit("/playbook", &[("kind", "email"), ("name", ""), ("subject", "x"), ("body", "y"), ("intent", "save")])
        .await;
    assert!(s == StatusCode::UNPROCESSABLE_ENTITY && page.contains("Name is required"));
    assert_eq!(api.get("/playbook/templates").await.1.as_array().unwrap().len(), 1);
}

async fn the_preview_button_renders_without_saving(app: TestApp) {
    let (api, b, creator, t) = owner_with_template(&app).await;
    let form = [
        ("kind", "email"),
        ("name", "First outreach"),
        ("subject", "Changed subject"),
        ("body", "Dear creator"),
        ("creator_id", creator.as_str()),
        ("intent", "preview"),
    ];
    let (s, page) = b.submit(&format!("/playbook/{t}"), &form).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Changed subject</strong>") && page.contains("Dear creator</pre>"), "{page}");
    assert!(page.contains("reads like a mass mailing"), "the personalisation warning is shown");
    assert_eq!(api.get(&format!("/playbook/templates/{t}")).await.1["body"], HELLO, "nothing saved");
}

async fn the_live_preview_fragment_escapes_html_once(app: TestApp) {
    let (api, b, _, _) = owner_with_template(&app).await;
    let odd = ana(&api, "Zoé <i>&</i> Co").await;
    let csrf = b.csrf().await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("kind", "email"),
        ("subject", "Hi {{ creator.name }}"),
        ("body", "Dear {{ creator.name }}"),
        ("creator_id", odd.as_str()),
    ];
    let (s, html) = b.post("/playbook/preview", &form).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Dear Zoé &#60;i&#62;&#38;&#60;/i&#62; Co</pre>"), "askama escapes the text once: {html}");
    assert!(!html.contains("<i>") && !html.contains("&#38;#") && !html.contains("&amp;"), "not twice: {html}");
    assert!(!html.contains("<html"), "a fragment, not a page");
    let brief = [
        ("_csrf", csrf.as_str()),
        ("kind", "brief"),
        ("body", "<h1>{{ creator.name }}</h1>"),
        ("creator_id", odd.as_str()),
    ];
    let (_, html) = b.post("/playbook/preview", &brief).await;
    assert!(html.contains("<iframe class=\"preview-frame\" sandbox=\"\""), "{html}");
    assert!(!html.contains("<h1>") && !html.contains("<i>"), "the HTML is inside the sandboxed srcdoc: {html}");
    let (_, html) = b
        .post(
            "/playbook/preview",
            &[
                ("_csrf", &csrf),
                ("kind", "email"),
                ("subject", "x"),
                ("body", "{{ creator.nmae }}"),
                ("creator_id", &odd),
            ],
        )
        .await;
    assert!(html.contains("Body uses “creator.nmae” on line 1"), "{html}");
}

async fn viewers_read_and_preview_templates_but_cannot_change_them(app: TestApp) {
    let (api, _, creator, t) = owner_with_template(&app).await;
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let b = app.signed_in(&viewer).await;
    let (_, page) = b.get("/playbook").await;
    assert!(page.contains("First outreach") && !page.contains("New template") && !page.contains("/delete"));
    let (s, page) = b.get(&format!("/playbook/{t}")).await;
    assert!(s == StatusCode::OK && page.contains("read only") && !page.contains("Save template"));
    assert!(page.contains("Hi Ana (@AnaCooks on Instagram)"), "the preview is shown: {page}");
    assert_eq!(b.get("/playbook/new").await.0, StatusCode::FORBIDDEN);
    let csrf = csrf_in(&page);
    let save = [
        ("_csrf", csrf.as_str()),
        ("kind", "email"),
        ("name", "Mine"),
        ("subject", "s"),
        ("body", "b"),
        ("intent", "save"),
    ];
    assert_eq!(b.post("/playbook", &save).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/playbook/{t}"), &save).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/playbook/{t}/delete"), &[("_csrf", &csrf)]).await.0, StatusCode::FORBIDDEN);
    let look = [
        ("_csrf", csrf.as_str()),
        ("kind", "email"),
        ("name", "x"),
        ("subject", "s"),
        ("body", "Yo {{ creator.first_name }}"),
        ("creator_id", creator.as_str()),
        ("intent", "preview"),
    ];
    let (s, page) = b.post(&format!("/playbook/{t}"), &look).await;
    assert!(s == StatusCode::OK && page.contains("Yo Ana"));
    assert_eq!(api.get("/playbook/templates").await.1.as_array().unwrap().len(), 1);
}

async fn the_playbook_forms_need_the_csrf_token(app: TestApp) {
    let (api, b, _, t) = owner_with_template(&app).await;
    let form = [("kind", "email"), ("name", "x"), ("subject", "s"), ("body", "b"), ("intent", "save")];
    assert_eq!(b.post("/playbook", &form).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/playbook/{t}"), &[("_csrf", "forged"), ("name", "y")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/playbook/{t}/delete"), &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post("/playbook/preview", &[("body", "x")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.get(&format!("/playbook/templates/{t}")).await.1["name"], "First outreach");
}

async fn playbook_pages_answer_404_for_another_workspaces_templates_and_creators(app: TestApp) {
    let (api, _, creator, t) = owner_with_template(&app).await;
    let stranger = app.workspace("Beta", Role::Owner).await;
    let b = app.signed_in(&stranger).await;
    assert_eq!(b.get(&format!("/playbook/{t}")).await.0, StatusCode::NOT_FOUND);
    let form = [("kind", "email"), ("name", "x"), ("subject", "s"), ("body", "b"), ("intent", "save")];
    assert_eq!(b.submit(&format!("/playbook/{t}"), &form).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/playbook/{t}/delete"), &[]).await.0, StatusCode::NOT_FOUND);
    let (_, page) = b.get("/playbook").await;
    assert!(!page.contains("First outreach"));
    let look =
        [("kind", "email"), ("subject", "s"), ("body", "Hi {{ creator.name }}"), ("creator_id", creator.as_str())];
    let (s, html) = b.submit("/playbook/preview", &look).await;
    assert!(s == StatusCode::OK && html.contains("That creator is not in this workspace.") && !html.contains("Ana"));
    let (_, page) = b.get("/playbook/new").await;
    assert!(!page.contains("Ana Lima"), "the picker lists only this workspace's creators");
    assert_eq!(api.get(&format!("/playbook/templates/{t}")).await.1["name"], "First outreach");
}
