//! The email pages: writing to a creator (inline errors that keep what was typed, the
//! outreach-lock warning and its override, do not contact), the outbox with cancel, and
//! Settings → Email (server for admins only, the member's own sender identity, the
//! suppression list); CSRF and tenant isolation.

use crate::harness::{Api, Browser, Person, TestApp};
use crate::smtp_server::SmtpServer;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    the_compose_page_sends_to_the_primary_address,
    a_bad_email_form_is_shown_again_with_inline_errors_and_what_was_typed,
    the_compose_page_warns_of_the_lock_and_sends_only_with_an_override,
    a_do_not_contact_creator_has_no_compose_form,
    the_outbox_lists_emails_and_cancels_a_waiting_one,
    admins_set_the_smtp_server_and_the_password_is_never_shown,
    members_set_their_own_sender_identity_but_not_the_server,
    admins_set_the_reply_mailbox_on_the_settings_page,
    the_compose_page_starts_from_a_template_and_asks_before_an_impersonal_send,
    the_suppression_list_is_managed_on_the_settings_page,
    email_forms_need_the_csrf_token,
    email_pages_answer_404_for_another_workspace,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// An owner signed in, an API key beside them, and a loopback SMTP server configured.
async fn setup(app: &TestApp) -> (Person, Browser, Api, SmtpServer) {
    let owner = app.workspace("Brand", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let smtp = SmtpServer::start().await;
    let (s, v) = api
        .put(
            "/settings/email",
            json!({"host": "127.0.0.1", "port": smtp.port, "security": "none", "from_name": "Brand",
                   "from_email": "team@brand.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let b = app.signed_in(&owner).await;
    (owner, b, api, smtp)
}

async fn ana(api: &Api) -> String {
    id(&api
        .creator(json!({"display_name": "Ana Lima",
                        "contact_points": [{"kind": "email", "value": "other@creators.example"},
                                           {"kind": "email", "value": "ana@creators.example", "primary": true}]}))
        .await)
}

async fn the_compose_page_sends_to_the_primary_address(app: TestApp) {
    let (_, b, api, smtp) = setup(&app).await;
    let c = ana(&api).await;
    let (s, page) = b.get(&format!("/creators/{c}/email")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("value=\"ana@creators.example\""), "the primary address is prefilled");
    let (s, to) = b
        .submit(
            &format!("/creators/{c}/email"),
            &[("to", "ana@creators.example"), ("subject", "Your Madeira reel"), ("body", "Hi Ana!")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(to, format!("/creators/{c}/email"));
    let m = &smtp.wait_for(1).await[0];
    assert_eq!(m.header("Subject").unwrap(), "Your Madeira reel");
    assert!(m.header("From").unwrap().contains("Test Person"), "a member without an identity sends under their name");
    let (_, page) = b.get(&format!("/creators/{c}/email")).await;
    assert!(page.contains("Your Madeira reel"));
}

async fn a_bad_email_form_is_shown_again_with_inline_errors_and_what_was_typed(app: TestApp) {
    let (_, b, api, smtp) = setup(&app).await;
    let c = ana(&api).await;
    let (s, page) =
        b.submit(&format!("/creators/{c}/email"), &[("to", "nope"), ("subject", "Kept <subject>"), ("body", "")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("must be a valid email address"));
    assert!(page.contains("id=\"e-body\""));
    assert!(
        page.contains("value=\"Kept &#60;subject&#62;\"") || page.contains("value=\"Kept &lt;subject&gt;\""),
        "{page}"
    );
    assert!(smtp.received().is_empty());
}

async fn the_compose_page_warns_of_the_lock_and_sends_only_with_an_override(app: TestApp) {
    let (owner, _, api, smtp) = setup(&app).await;
    let c = ana(&api).await;
    // Another member owns the creator once they claim them.
    let colleague = app.person_in("Brand", "sam@example.com", Role::Member).await;
    let sam = app.signed_in(&colleague).await;
    let owner_id = {
        let ctx = rapport_app::Ctx::system(owner.workspace, rapport_core::actor::Actor::System, "test");
        let members = rapport_app::members::list(&app.app, &ctx).await.unwrap();
        members.into_iter().find(|m| m.email == owner.email).unwrap().user_id.to_string()
    };
    let (s, v) = api.patch(&format!("/creators/{c}"), json!({"owner_id": owner_id})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, page) = sam.get(&format!("/creators/{c}/email")).await;
    assert!(page.contains("id=\"outreach-lock\"") && page.contains("Test Person owns this creator"), "{page}");
    let form = [("to", "ana@creators.example"), ("subject", "Hello"), ("body", "Hi Ana")];
    let (s, page) = sam.submit(&format!("/creators/{c}/email"), &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("outreach lock"), "{page}");
    let mut with_override = form.to_vec();
    with_override.extend([("override", "1"), ("override_note", "covering for Lena")]);
    let (s, _) = sam.submit(&format!("/creators/{c}/email"), &with_override).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    smtp.wait_for(1).await;
    let (_, log) = api.get("/outreach-overrides").await;
    assert_eq!(log[0]["note"], "covering for Lena");
    assert!(log[0]["actor"].as_str().unwrap().starts_with("user:"));
}

async fn a_do_not_contact_creator_has_no_compose_form(app: TestApp) {
    let (_, b, api, _) = setup(&app).await;
    let c = id(&api.creator(json!({"display_name": "Dora", "do_not_contact": true})).await);
    let (s, page) = b.get(&format!("/creators/{c}/email")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("is marked do not contact"));
    assert!(!page.contains("name=\"subject\""));
    let (_, record) = b.get(&format!("/creators/{c}")).await;
    assert!(!record.contains(&format!("/creators/{c}/email")), "no Email button on the record");
}

async fn the_outbox_lists_emails_and_cancels_a_waiting_one(app: TestApp) {
    let (_, b, api, smtp) = setup(&app).await;
    let (s, _) = api
        .put(
            "/settings/email",
            json!({"host": "127.0.0.1", "port": smtp.port, "security": "none", "from_name": "Brand",
                   "from_email": "team@brand.example", "max_per_hour": 1, "lock_days": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let c = ana(&api).await;
    let body = json!({"subject": "First", "body": "Hi Ana"});
    api.post(&format!("/creators/{c}/emails"), body).await;
    let (_, held) =
        api.post(&format!("/creators/{c}/emails"), json!({"subject": "Second", "body": "Hi again, Ana"})).await;
    smtp.wait_for(1).await;
    // The second waits for the hour to pass once the worker has looked at it.
    for _ in 0..100 {
        let (_, v) = api.get(&format!("/emails/{}", id(&held))).await;
        if v["last_error"].as_str().is_some_and(|e| e.starts_with("throttled")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (s, page) = b.get("/emails").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("First") && page.contains("Second"));
    let (_, waiting) = b.get("/emails?status=queued").await;
    assert!(waiting.contains("Second") && !waiting.contains(">First<"), "{waiting}");
    let (s, _) = b.submit(&format!("/emails/{}/cancel", id(&held)), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = api.get(&format!("/emails/{}", id(&held))).await;
    assert_eq!(v["status"], "cancelled");
}

async fn admins_set_the_smtp_server_and_the_password_is_never_shown(app: TestApp) {
    let owner = app.workspace("Brand", Role::Owner).await;
    let b = app.signed_in(&owner).await;
    let form = [
        ("host", "smtp.brand.example"),
        ("security", "starttls"),
        ("port", ""),
        ("username", "team"),
        ("password", "hunter2-smtp"),
        ("from_name", "Brand"),
        ("from_email", "team@brand.example"),
        ("max_per_hour", "30"),
        ("lock_days", "7"),
    ];
    let (s, _) = b.submit("/settings/email", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/settings/email").await;
    assert!(page.contains("value=\"smtp.brand.example\"") && page.contains("A password is stored"));
    assert!(!page.contains("hunter2-smtp"));
    let mut bad = form.to_vec();
    bad[0] = ("host", "");
    bad[7] = ("max_per_hour", "lots");
    let (s, page) = b.submit("/settings/email", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"e-host\"") && page.contains("must be a whole number"));
    assert!(page.contains("value=\"team@brand.example\""), "what was typed is kept");
    let api = app.api(&app.key(owner.workspace, "read").await);
    let (_, v) = api.get("/settings/email").await;
    assert_eq!(v["port"], 587);
    assert_eq!(v["max_per_hour"], 30);
    assert_eq!(v["lock_days"], 7);
}

async fn members_set_their_own_sender_identity_but_not_the_server(app: TestApp) {
    let (_, _, api, smtp) = setup(&app).await;
    let member = app.person_in("Brand", "lena@example.com", Role::Member).await;
    let b = app.signed_in(&member).await;
    let (s, page) = b.get("/settings/email").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("name=\"host\""), "members do not see the server form");
    let (s, _) = b
        .submit("/settings/email", &[("host", "evil.example"), ("from_name", "x"), ("from_email", "x@y.example")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, page) = b.submit("/settings/email/sender", &[("from_name", "Lena"), ("from_email", "bad")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"e-from_email\""));
    let (s, _) = b
        .submit("/settings/email/sender", &[("from_name", "Lena Fischer"), ("from_email", "lena@brand.example")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let c = ana(&api).await;
    let (s, _) = b.submit(&format!("/creators/{c}/email"), &[("subject", "Hi"), ("body", "Hello Ana")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let m = &smtp.wait_for(1).await[0];
    assert_eq!(m.from, "lena@brand.example");
    assert!(m.header("From").unwrap().contains("Lena Fischer"));
    let viewer = app.person_in("Brand", "vic@example.com", Role::Viewer).await;
    let (s, _) = app.signed_in(&viewer).await.get("/settings/email").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn the_suppression_list_is_managed_on_the_settings_page(app: TestApp) {
    let (_, b, api, _) = setup(&app).await;
    let (s, page) = b.submit("/settings/email/suppressions", &[("email", "not-an-address"), ("note", "x")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"not-an-address\""));
    let (s, _) =
        b.submit("/settings/email/suppressions", &[("email", "Ana@Creators.example"), ("note", "asked")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/settings/email").await;
    assert!(page.contains("ana@creators.example") && page.contains("asked"));
    let c = ana(&api).await;
    let (s, page) = b.submit(&format!("/creators/{c}/email"), &[("subject", "Hi"), ("body", "Hello Ana")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("suppression list"));
    let (s, _) = b.submit("/settings/email/suppressions/remove", &[("email", "ana@creators.example")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, list) = api.get("/suppressions").await;
    assert!(list.as_array().unwrap().is_empty());
}

async fn email_forms_need_the_csrf_token(app: TestApp) {
    let (_, b, api, smtp) = setup(&app).await;
    let c = ana(&api).await;
    for path in [
        format!("/creators/{c}/email"),
        "/settings/email".into(),
        "/settings/email/sender".into(),
        "/settings/email/suppressions".into(),
    ] {
        let (s, _) =
            b.post(&path, &[("_csrf", "forged"), ("subject", "x"), ("body", "y"), ("email", "a@b.example")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(smtp.received().is_empty());
}

async fn email_pages_answer_404_for_another_workspace(app: TestApp) {
    let (_, _, api, _) = setup(&app).await;
    let c = ana(&api).await;
    let (_, sent) = api.post(&format!("/creators/{c}/emails"), json!({"subject": "s", "body": "Hi Ana"})).await;
    let other = app.workspace("Other", Role::Owner).await;
    let b = app.signed_in(&other).await;
    let (s, _) = b.get(&format!("/creators/{c}/email")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = b.submit(&format!("/creators/{c}/email"), &[("subject", "x"), ("body", "y")]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = b.submit(&format!("/emails/{}/cancel", id(&sent)), &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, page) = b.get("/emails").await;
    assert!(!page.contains(&id(&sent)));
}

async fn admins_set_the_reply_mailbox_on_the_settings_page(app: TestApp) {
    let owner = app.workspace("Brand", Role::Owner).await;
    let b = app.signed_in(&owner).await;
    let form = [
        ("imap_host", "imap.brand.example"),
        ("imap_security", "tls"),
        ("imap_port", ""),
        ("imap_username", "replies@brand.example"),
        ("imap_password", "imap-pass-1"),
        ("imap_folder", "INBOX"),
        ("imap_poll_seconds", "120"),
    ];
    let mut bad = form.to_vec();
    bad[0] = ("imap_host", "");
    bad[6] = ("imap_poll_seconds", "often");
    let (s, page) = b.submit("/settings/email/mailbox", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"e-imap_host\"") && page.contains("id=\"e-imap_poll_seconds\""), "{page}");
    assert!(page.contains("value=\"replies@brand.example\""), "what was typed is kept");
    let (s, _) = b.submit("/settings/email/mailbox", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/settings/email").await;
    assert!(page.contains("value=\"imap.brand.example\"") && !page.contains("imap-pass-1"));
    let api = app.api(&app.key(owner.workspace, "read").await);
    let (_, v) = api.get("/settings/mailbox").await;
    assert_eq!(v["port"], 993);
    assert_eq!(v["poll_seconds"], 120);
    let member = app.person_in("Brand", "m@example.com", Role::Member).await;
    let (s, _) = app.signed_in(&member).await.submit("/settings/email/mailbox", &form).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn the_compose_page_starts_from_a_template_and_asks_before_an_impersonal_send(app: TestApp) {
    let (_, b, api, smtp) = setup(&app).await;
    let c = ana(&api).await;
    let (s, t) = api
        .post(
            "/playbook/templates",
            json!({"kind": "email", "name": "First outreach",
            "subject": "About {{ content.title }}",
            "body": "Hi {{ creator.first_name }}, loved {{ content.title }}.\nStop: {{ unsubscribe_url }}"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, page) = b.get(&format!("/creators/{c}/email?template_id={}&content_title=Madeira+reel", id(&t))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("value=\"About Madeira reel\""), "{page}");
    assert!(page.contains("Hi Ana, loved Madeira reel."));
    let body = "Hi Ana, loved Madeira reel.\nStop: [unsubscribe link, added when the email is sent]";
    let (s, _) = b
        .submit(
            &format!("/creators/{c}/email"),
            &[("subject", "About Madeira reel"), ("body", body), ("content_title", "Madeira reel")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let m = &smtp.wait_for(1).await[0];
    assert!(m.data.contains("/unsubscribe/") && !m.data.contains("[unsubscribe link"), "{}", m.data);
    // Written by hand without a word about her: the page asks first.
    let form = [("subject", "Partnership"), ("body", "Dear creator, let us work together."), ("override", "1")];
    let (s, page) = b.submit(&format!("/creators/{c}/email"), &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("name=\"ignore_warnings\"") && page.contains("Dear creator, let us work together."));
    let mut confirmed = form.to_vec();
    confirmed.push(("ignore_warnings", "1"));
    let (s, _) = b.submit(&format!("/creators/{c}/email"), &confirmed).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    smtp.wait_for(2).await;
}
