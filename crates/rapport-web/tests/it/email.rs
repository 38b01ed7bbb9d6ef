//! Sending email through the outbox to a real SMTP server on loopback: the headers on the
//! wire (Message-ID, In-Reply-To, RFC 8058 List-Unsubscribe), the hourly throttle, a server
//! that is down and comes back (delivered exactly once), 4xx retried and 5xx not, do not
//! contact, the suppression list and one-click unsubscribe, the outreach lock with its
//! override log, idempotency, cancelling, settings, permissions and tenant isolation.

use crate::harness::{Api, Person, TestApp};
use crate::smtp_server::{SmtpServer, free_port};
use rapport_app::Ctx;
use rapport_core::actor::Actor;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

crate::db_tests!(
    an_email_goes_out_with_a_stable_message_id_and_one_click_unsubscribe_headers,
    a_reply_carries_in_reply_to_and_references,
    a_server_that_is_down_then_back_gets_the_message_exactly_once,
    a_temporary_failure_is_retried_and_then_delivered,
    a_permanent_failure_is_not_retried,
    the_hourly_throttle_holds_back_what_is_over_the_limit,
    do_not_contact_creators_are_refused_with_a_clear_error,
    one_click_unsubscribe_suppresses_the_address_for_every_later_send,
    opening_the_unsubscribe_link_does_not_unsubscribe,
    a_manually_suppressed_address_is_refused,
    the_outreach_lock_needs_an_override_which_is_logged,
    a_retry_with_the_same_idempotency_key_sends_once,
    a_queued_email_can_be_cancelled_and_never_goes_out,
    a_bad_email_is_refused_naming_each_field,
    sending_needs_an_smtp_server,
    smtp_settings_never_show_the_password_and_name_bad_fields,
    a_read_key_cannot_send_or_change_settings,
    email_routes_answer_404_for_another_workspace,
    the_openapi_document_describes_email,
    a_logged_call_locks_outreach_for_a_teammate_too,
    the_server_login_is_used_and_a_refused_one_fails_without_retry,
    a_message_that_never_mentions_the_creator_needs_confirmation,
    a_playbook_template_is_rendered_for_the_creator_with_the_real_unsubscribe_link,
    a_template_must_be_an_email_template_of_the_workspace,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn fields(v: &Value) -> Vec<&str> {
    v["fields"].as_array().map(|a| a.iter().map(|f| f["field"].as_str().unwrap()).collect()).unwrap_or_default()
}

/// Points the workspace at the loopback server on `port`.
pub async fn configure(api: &Api, port: u16, max_per_hour: i64) {
    let (s, v) = api
        .put(
            "/settings/email",
            json!({"host": "127.0.0.1", "port": port, "security": "none", "from_name": "Brand Team",
                   "from_email": "team@brand.example", "max_per_hour": max_per_hour, "lock_days": 14}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn creator_with_email(api: &Api, name: &str, email: &str) -> String {
    id(&api
        .creator(json!({"display_name": name, "contact_points": [{"kind": "email", "value": email, "primary": true}]}))
        .await)
}

async fn send(api: &Api, creator: &str, body: Value) -> Value {
    let (s, v) = api.post(&format!("/creators/{creator}/emails"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

fn hello() -> Value {
    json!({"subject": "Your trail-running reel", "body": "Hi Ana,\nloved the reel from Madeira."})
}

/// Polls an email until `done` holds (up to 15 s).
async fn email_until(api: &Api, email: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..150 {
        let (s, v) = api.get(&format!("/emails/{email}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the email never reached the expected state");
}

async fn timeline_actions(api: &Api, creator: &str) -> Vec<String> {
    let (_, timeline) = api.get(&format!("/creators/{creator}/timeline")).await;
    timeline["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

async fn setup(app: &TestApp, name: &str) -> (Api, SmtpServer, String) {
    let (api, _) = app.api_in_new_workspace(name).await;
    let smtp = SmtpServer::start().await;
    configure(&api, smtp.port, 100).await;
    let ana = creator_with_email(&api, "Ana Lima", "ana@creators.example").await;
    (api, smtp, ana)
}

async fn an_email_goes_out_with_a_stable_message_id_and_one_click_unsubscribe_headers(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    let queued = send(&api, &ana, hello()).await;
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["to"], "ana@creators.example");
    let got = smtp.wait_for(1).await;
    let m = &got[0];
    assert_eq!(m.from, "team@brand.example");
    assert_eq!(m.to, ["ana@creators.example"]);
    assert_eq!(m.header("Message-ID").unwrap(), queued["message_id"].as_str().unwrap());
    assert!(queued["message_id"].as_str().unwrap().ends_with("@brand.example>"));
    assert_eq!(m.header("Subject").unwrap(), "Your trail-running reel");
    assert!(m.header("From").unwrap().contains("Brand Team"));
    let unsub = m.header("List-Unsubscribe").unwrap();
    assert!(unsub.starts_with(&format!("<{}/unsubscribe/", app.base)), "{unsub}");
    assert_eq!(m.header("List-Unsubscribe-Post").unwrap(), "List-Unsubscribe=One-Click");
    assert!(m.data.contains("loved the reel from Madeira"));
    let sent = email_until(&api, &id(&queued), |v| v["status"] == "sent").await;
    assert_eq!(sent["attempts"], 1);
    assert!(sent["sent_at"].is_string());
    let actions = timeline_actions(&api, &ana).await;
    assert!(actions.contains(&"email.queued".into()) && actions.contains(&"email.sent".into()), "{actions:?}");
    // The sent email is an interaction: the creator's one timeline and last contact see it.
    let (_, logged) = api.get(&format!("/creators/{ana}/interactions")).await;
    let e = &logged["items"][0];
    assert_eq!(e["channel"], "email");
    assert_eq!(e["direction"], "outbound");
    assert_eq!(e["subject"], "Your trail-running reel");
    let (_, r) = api.get(&format!("/creators/{ana}/responsiveness")).await;
    assert!(r["last_contact_at"].is_string(), "{r}");
}

async fn a_reply_carries_in_reply_to_and_references(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    let parent = "<CAF=abc123@mail.gmail.com>";
    send(&api, &ana, json!({"subject": "Re: rates", "body": "Thanks, Ana!", "in_reply_to": parent})).await;
    let m = &smtp.wait_for(1).await[0];
    assert_eq!(m.header("In-Reply-To").unwrap(), parent);
    assert_eq!(m.header("References").unwrap(), parent);
}

async fn a_server_that_is_down_then_back_gets_the_message_exactly_once(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let port = free_port().await;
    configure(&api, port, 100).await;
    let ana = creator_with_email(&api, "Ana Lima", "ana@creators.example").await;
    let queued = send(&api, &ana, hello()).await;
    let failed_once =
        email_until(&api, &id(&queued), |v| v["attempts"].as_i64() >= Some(1) && v["status"] == "queued").await;
    assert!(failed_once["last_error"].as_str().unwrap().contains("could not reach"), "{failed_once}");
    let smtp = SmtpServer::start_on(port).await;
    smtp.wait_for(1).await;
    let sent = email_until(&api, &id(&queued), |v| v["status"] == "sent").await;
    assert!(sent["attempts"].as_i64().unwrap() >= 2);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.received().len(), 1, "delivered exactly once");
}

async fn a_temporary_failure_is_retried_and_then_delivered(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    smtp.reply_to_next_rcpt("451 4.3.0 mailbox busy, try later");
    let queued = send(&api, &ana, hello()).await;
    smtp.wait_for(1).await;
    let sent = email_until(&api, &id(&queued), |v| v["status"] == "sent").await;
    assert_eq!(sent["attempts"], 2);
    assert_eq!(smtp.received().len(), 1);
}

async fn a_permanent_failure_is_not_retried(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    smtp.reply_to_next_rcpt("550 5.1.1 no such mailbox");
    let queued = send(&api, &ana, hello()).await;
    let failed = email_until(&api, &id(&queued), |v| v["status"] == "failed").await;
    assert!(failed["last_error"].as_str().unwrap().contains("550"), "{failed}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.connections(), 1, "no second attempt");
    assert!(smtp.received().is_empty());
    let (_, again) = api.get(&format!("/emails/{}", id(&queued))).await;
    assert_eq!(again["attempts"], 1);
}

async fn the_hourly_throttle_holds_back_what_is_over_the_limit(app: TestApp) {
    let (api, smtp, _) = setup(&app, "Brand").await;
    configure(&api, smtp.port, 2).await;
    let mut ids = vec![];
    for (i, name) in ["Ana", "Ana Costa", "Ana Silva"].iter().enumerate() {
        let c = creator_with_email(&api, name, &format!("c{i}@creators.example")).await;
        ids.push(id(&send(&api, &c, hello()).await));
    }
    smtp.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.received().len(), 2, "the third waits for the hour to pass");
    let (_, list) = api.get("/emails?status=queued").await;
    let held = &list.as_array().unwrap()[0];
    assert!(held["last_error"].as_str().unwrap().starts_with("throttled"), "{held}");
    assert_eq!(held["attempts"], 0, "a throttled turn is not an attempt");
    let next = time::OffsetDateTime::parse(
        held["next_attempt_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(next > time::OffsetDateTime::now_utc() + time::Duration::minutes(55), "{next}");
}

async fn do_not_contact_creators_are_refused_with_a_clear_error(app: TestApp) {
    let (api, smtp, _) = setup(&app, "Brand").await;
    let c = id(&api
        .creator(json!({"display_name": "Dora", "do_not_contact": true,
                        "contact_points": [{"kind": "email", "value": "dora@x.example"}]}))
        .await);
    let (s, v) = api.post(&format!("/creators/{c}/emails"), hello()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "creator");
    assert!(v["message"].as_str().unwrap().contains("do not contact"));
    let (_, list) = api.get("/emails").await;
    assert!(list.as_array().unwrap().is_empty());
    assert_eq!(smtp.connections(), 0);
}

fn unsubscribe_path(app: &TestApp, m: &crate::smtp_server::Received) -> String {
    let h = m.header("List-Unsubscribe").unwrap();
    h.trim_start_matches('<').trim_end_matches('>').strip_prefix(&app.base).unwrap().to_string()
}

async fn one_click_unsubscribe_suppresses_the_address_for_every_later_send(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    send(&api, &ana, hello()).await;
    let path = unsubscribe_path(&app, &smtp.wait_for(1).await[0]);
    // What a mail client sends for RFC 8058 one-click: a POST without cookies or CSRF.
    let resp = reqwest::Client::new()
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("unsubscribed"));
    let (_, list) = api.get("/suppressions").await;
    assert_eq!(list[0]["email"], "ana@creators.example");
    assert_eq!(list[0]["reason"], "unsubscribed");
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), hello()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "to");
    assert!(v["message"].as_str().unwrap().contains("suppression list"));
    // A playbook template is no way around it either.
    let t = email_template(&api, "Hi {{ creator.first_name }}", "Hello {{ creator.first_name }}").await;
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), json!({"template_id": t, "override": true})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "to");
    assert!(timeline_actions(&api, &ana).await.contains(&"email.unsubscribed".into()));
    // Repeating the click is harmless.
    let again = reqwest::Client::new().post(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}

async fn opening_the_unsubscribe_link_does_not_unsubscribe(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    send(&api, &ana, hello()).await;
    let path = unsubscribe_path(&app, &smtp.wait_for(1).await[0]);
    let resp = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("ana@creators.example") && html.contains("method=\"post\""), "{html}");
    let (_, list) = api.get("/suppressions").await;
    assert!(list.as_array().unwrap().is_empty(), "a link scanner must not unsubscribe anyone");
    let bad = reqwest::get(app.url("/unsubscribe/not-a-real-token")).await.unwrap();
    assert_eq!(bad.status(), StatusCode::FORBIDDEN);
}

async fn a_manually_suppressed_address_is_refused(app: TestApp) {
    let (api, _smtp, ana) = setup(&app, "Brand").await;
    let (s, v) = api.post("/suppressions", json!({"email": "ANA@creators.example", "note": "asked by phone"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["email"], "ana@creators.example");
    let (s, _) = api.post(&format!("/creators/{ana}/emails"), hello()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = api.delete("/suppressions/ana@creators.example").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    send(&api, &ana, hello()).await;
    let (s, v) = api.post("/suppressions", json!({"email": "nope"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["email"]);
}

pub(crate) async fn user_id(app: &TestApp, p: &Person) -> String {
    let ctx = Ctx::system(p.workspace, Actor::System, "test");
    let members = rapport_app::members::list(&app.app, &ctx).await.unwrap();
    members.into_iter().find(|m| m.email == p.email).unwrap().user_id.to_string()
}

async fn the_outreach_lock_needs_an_override_which_is_logged(app: TestApp) {
    let (api, owner) = app.api_in_new_workspace("Brand").await;
    let smtp = SmtpServer::start().await;
    configure(&api, smtp.port, 100).await;
    let owner_id = user_id(&app, &owner).await;
    let ana = id(&api
        .creator(json!({"display_name": "Ana Lima", "owner_id": owner_id,
                        "contact_points": [{"kind": "email", "value": "ana@creators.example"}]}))
        .await);
    let (_, lock) = api.get(&format!("/creators/{ana}/outreach-lock")).await;
    assert_eq!(lock["locked"], true);
    assert_eq!(lock["reasons"][0]["code"], "owned_by_other");
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), hello()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "override");
    assert!(v["message"].as_str().unwrap().contains("Test Person owns this creator"), "{v}");
    let mut body = hello();
    body["override"] = json!(true);
    body["override_note"] = json!("Lena is on leave; agreed in stand-up");
    let sent = send(&api, &ana, body).await;
    let (_, log) = api.get(&format!("/outreach-overrides?creator_id={ana}")).await;
    let entry = &log.as_array().unwrap()[0];
    assert_eq!(entry["email_id"], sent["id"]);
    assert_eq!(entry["reasons"][0]["code"], "owned_by_other");
    assert_eq!(entry["note"], "Lena is on leave; agreed in stand-up");
    assert!(entry["actor"].as_str().unwrap().starts_with("api_key:"));
    // Now the creator was contacted moments ago, which locks them too.
    let (_, lock) = api.get(&format!("/creators/{ana}/outreach-lock")).await;
    let codes: Vec<_> = lock["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["owned_by_other", "recently_contacted"]);
    assert!(timeline_actions(&api, &ana).await.contains(&"outreach.override".into()));
}

async fn a_retry_with_the_same_idempotency_key_sends_once(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    let mut body = hello();
    body["idempotency_key"] = json!("campaign-42-ana");
    let first = send(&api, &ana, body.clone()).await;
    let second = send(&api, &ana, body).await;
    assert_eq!(first["id"], second["id"]);
    smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(smtp.received().len(), 1);
}

async fn a_queued_email_can_be_cancelled_and_never_goes_out(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    configure(&api, smtp.port, 1).await;
    let ben = creator_with_email(&api, "Ana Costa", "ben@creators.example").await;
    send(&api, &ana, hello()).await;
    let held = send(&api, &ben, hello()).await;
    smtp.wait_for(1).await;
    email_until(&api, &id(&held), |v| v["last_error"].as_str().is_some_and(|e| e.starts_with("throttled"))).await;
    let (s, v) = api.post(&format!("/emails/{}/cancel", id(&held)), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");
    let (s, v) = api.post(&format!("/emails/{}/cancel", id(&held)), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(smtp.received().len(), 1);
}

async fn a_bad_email_is_refused_naming_each_field(app: TestApp) {
    let (api, _smtp, ana) = setup(&app, "Brand").await;
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), json!({"to": "not-an-address", "subject": " "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["to", "subject", "body"]);
    let bare = id(&api.creator(json!({"display_name": "No Mail"})).await);
    let (s, v) = api.post(&format!("/creators/{bare}/emails"), hello()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["to"]);
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), json!({"subject": "x", "body": "y", "cc": "z"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

async fn sending_needs_an_smtp_server(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let ana = creator_with_email(&api, "Ana Lima", "ana@creators.example").await;
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), hello()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "smtp");
}

async fn smtp_settings_never_show_the_password_and_name_bad_fields(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let (_, empty) = api.get("/settings/email").await;
    assert_eq!(empty["configured"], false);
    let (s, v) = api
        .put(
            "/settings/email",
            json!({"host": "smtp.brand.example", "username": "team", "password": "s3cret-smtp",
                   "from_name": "Brand", "from_email": "team@brand.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["password_set"], true);
    assert_eq!(v["port"], 587);
    assert_eq!(v["security"], "starttls");
    let (_, shown) = api.get("/settings/email").await;
    assert!(!shown.to_string().contains("s3cret-smtp"));
    assert_eq!(shown["password_set"], true);
    // Leaving the password out keeps it.
    let (_, kept) = api
        .put("/settings/email", json!({"host": "smtp2.brand.example", "username": "team", "from_name": "Brand", "from_email": "team@brand.example"}))
        .await;
    assert_eq!(kept["password_set"], true);
    let (s, v) = api
        .put("/settings/email", json!({"host": "", "port": 0, "security": "ssl", "from_email": "x", "max_per_hour": 0}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // The stored password needs a user name, so leaving it out is an error too.
    assert_eq!(fields(&v), ["host", "security", "port", "username", "from_name", "from_email", "max_per_hour"]);
    let (_, after) = api.get("/settings/email").await;
    assert_eq!(after["host"], "smtp2.brand.example", "a refused change keeps what was stored");
}

async fn a_read_key_cannot_send_or_change_settings(app: TestApp) {
    let (api, owner) = app.api_in_new_workspace("Brand").await;
    let smtp = SmtpServer::start().await;
    configure(&api, smtp.port, 100).await;
    let ana = creator_with_email(&api, "Ana Lima", "ana@creators.example").await;
    let read = app.api(&app.key(owner.workspace, "read").await);
    let (s, _) = read.post(&format!("/creators/{ana}/emails"), hello()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = read.put("/settings/email", json!({"host": "x.example"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = read.post("/suppressions", json!({"email": "a@b.example"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = read.get("/emails").await;
    assert_eq!(s, StatusCode::OK);
}

async fn email_routes_answer_404_for_another_workspace(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    let sent = send(&api, &ana, hello()).await;
    smtp.wait_for(1).await;
    let (other, _) = app.api_in_new_workspace("Other").await;
    configure(&other, smtp.port, 100).await;
    let email = id(&sent);
    for (s, _) in [
        other.post(&format!("/creators/{ana}/emails"), hello()).await,
        other.get(&format!("/creators/{ana}/emails")).await,
        other.get(&format!("/creators/{ana}/outreach-lock")).await,
        other.get(&format!("/emails/{email}")).await,
        other.post(&format!("/emails/{email}/cancel"), json!({})).await,
        other.get(&format!("/outreach-overrides?creator_id={ana}")).await,
        other.get(&format!("/emails?creator_id={ana}")).await,
    ] {
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (_, list) = other.get("/emails").await;
    assert!(list.as_array().unwrap().is_empty());
    let (_, settings) = other.get("/settings/email").await;
    assert_eq!(settings["from_email"], "team@brand.example");
    assert_eq!(smtp.received().len(), 1);
}

async fn the_openapi_document_describes_email(app: TestApp) {
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    for path in [
        "/creators/{id}/emails", "/creators/{id}/outreach-lock", "/emails", "/emails/{email}/cancel",
        "/outreach-overrides", "/settings/email", "/me/sender", "/suppressions",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

async fn a_message_that_never_mentions_the_creator_needs_confirmation(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    let generic = json!({"subject": "Collaboration opportunity", "body": "Dear creator, we love your work."});
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), generic.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "ignore_warnings");
    assert!(v["message"].as_str().unwrap().contains("mentions neither their name"), "{v}");
    let mut confirmed = generic;
    confirmed["ignore_warnings"] = json!(true);
    send(&api, &ana, confirmed).await;
    smtp.wait_for(1).await;
}

async fn email_template(api: &Api, subject: &str, body: &str) -> String {
    let (s, v) = api
        .post(
            "/playbook/templates",
            json!({"kind": "email", "name": format!("T {}", uuid::Uuid::now_v7()), "subject": subject, "body": body}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    id(&v)
}

async fn a_playbook_template_is_rendered_for_the_creator_with_the_real_unsubscribe_link(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    let t = email_template(
        &api,
        "Loved {{ content.title }}",
        "Hi {{ creator.first_name }},\nyour {{ content.title }} ({{ content.url }}) is great.\n{{ sender.name }}\nUnsubscribe: {{ unsubscribe_url }}",
    )
    .await;
    let queued = send(
        &api,
        &ana,
        json!({"template_id": t, "content_title": "Madeira trail reel", "content_url": "https://instagram.example/p/1"}),
    )
    .await;
    assert_eq!(queued["subject"], "Loved Madeira trail reel");
    let m = &smtp.wait_for(1).await[0];
    let body = queued["body"].as_str().unwrap();
    assert!(
        body.starts_with("Hi Ana,\nyour Madeira trail reel (https://instagram.example/p/1) is great.\nBrand Team"),
        "{body}"
    );
    let link = m.header("List-Unsubscribe").unwrap();
    let link = link.trim_start_matches('<').trim_end_matches('>');
    assert_eq!(body.matches(link).count(), 1, "the template's link, and no added footer: {body}");
    // A template that needs a piece of content warns when none is chosen.
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), json!({"template_id": t, "override": true})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("comes out blank"), "{v}");
}

async fn a_template_must_be_an_email_template_of_the_workspace(app: TestApp) {
    let (api, _smtp, ana) = setup(&app, "Brand").await;
    let (other, _) = app.api_in_new_workspace("Other").await;
    let theirs = email_template(&other, "Hi {{ creator.first_name }}", "Hello {{ creator.first_name }}").await;
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), json!({"template_id": theirs})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["template_id"]);
    let mine = email_template(&api, "Hi {{ creator.first_name }}", "Hello {{ creator.first_name }}").await;
    let (s, v) =
        api.post(&format!("/creators/{ana}/emails"), json!({"template_id": mine, "subject": "x", "body": "y"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["template_id"]);
    let (s, v) =
        api.post(&format!("/creators/{ana}/emails"), json!({"template_id": mine, "content_url": "ftp://x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["content_url"]);
}

async fn a_logged_call_locks_outreach_for_a_teammate_too(app: TestApp) {
    let (api, _smtp, ana) = setup(&app, "Brand").await;
    let (s, v) = api
        .post(
            &format!("/creators/{ana}/interactions"),
            json!({"channel": "call", "direction": "outbound", "body": "Talked rates"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, lock) = api.get(&format!("/creators/{ana}/outreach-lock")).await;
    assert_eq!(lock["reasons"][0]["code"], "recently_contacted", "{lock}");
    let (s, v) = api.post(&format!("/creators/{ana}/emails"), hello()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "override");
}

async fn the_server_login_is_used_and_a_refused_one_fails_without_retry(app: TestApp) {
    let (api, smtp, ana) = setup(&app, "Brand").await;
    smtp.require_login("team@brand.example", "app-password-1");
    let settings = |password: &str| {
        json!({"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": "team@brand.example",
               "password": password, "from_name": "Brand Team", "from_email": "team@brand.example", "lock_days": 0})
    };
    let (s, _) = api.put("/settings/email", settings("app-password-1")).await;
    assert_eq!(s, StatusCode::OK);
    send(&api, &ana, hello()).await;
    smtp.wait_for(1).await;
    assert_eq!(smtp.auths(), [("team@brand.example".to_string(), "app-password-1".to_string())]);
    let (s, _) = api.put("/settings/email", settings("wrong")).await;
    assert_eq!(s, StatusCode::OK);
    let queued = send(&api, &ana, hello()).await;
    let failed = email_until(&api, &id(&queued), |v| v["status"] == "failed").await;
    assert!(failed["last_error"].as_str().unwrap().contains("535"), "{failed}");
    assert_eq!(failed["attempts"], 1);
}
