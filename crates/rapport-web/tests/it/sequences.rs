//! Sequences against a real SMTP server on loopback: the first step on enrolment, later
//! steps in the same thread when their day comes (the runner is called with a later clock),
//! and the stops — a reply, a stage change, an unsubscribe, do not contact, by hand;
//! suppression across sequences; refusals; pages; permissions and isolation.

use crate::harness::{Api, TestApp};
use crate::smtp_server::SmtpServer;
use rapport_core::actor::now;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

crate::db_tests!(
    enrolling_sends_the_first_step_and_later_steps_follow_in_the_thread,
    a_reply_stops_the_sequence,
    a_stage_change_stops_the_sequence,
    a_logged_dm_reply_stops_the_sequence,
    unsubscribing_stops_the_sequence_and_suppression_holds_across_sequences,
    do_not_contact_stops_the_sequence_and_refuses_enrolment,
    a_stopped_enrolment_sends_nothing_more,
    double_enrolment_and_bad_steps_are_refused,
    a_read_key_cannot_change_sequences_and_other_workspaces_get_404,
    the_sequence_pages_create_enrol_and_stop,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

struct Setup {
    api: Api,
    smtp: SmtpServer,
    ana: String,
    sequence: String,
}

async fn template(api: &Api, name: &str, subject: &str, body: &str) -> String {
    let (s, v) =
        api.post("/playbook/templates", json!({"kind": "email", "name": name, "subject": subject, "body": body})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    id(&v)
}

async fn sequence(api: &Api, name: &str) -> String {
    let first =
        template(api, &format!("{name} 1"), "Hello {{ creator.first_name }}", "Hi {{ creator.first_name }}!").await;
    let second =
        template(api, &format!("{name} 2"), "Following up", "{{ creator.first_name }}, did you see my note?").await;
    let (s, v) = api
        .post(
            "/sequences",
            json!({"name": name, "steps": [{"template_id": first, "delay_days": 0},
                                                          {"template_id": second, "delay_days": 3}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    id(&v)
}

async fn setup(app: &TestApp, ws: &str) -> Setup {
    let (api, _) = app.api_in_new_workspace(ws).await;
    let smtp = SmtpServer::start().await;
    let (s, _) = api
        .put(
            "/settings/email",
            json!({"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                       "from_name": "Brand", "from_email": "team@brand.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let ana = id(&api
        .creator(
            json!({"display_name": "Ana Lima", "contact_points": [{"kind": "email", "value": "ana@creators.example"}]}),
        )
        .await);
    let sequence = sequence(&api, "Autumn outreach").await;
    Setup { api, smtp, ana, sequence }
}

async fn enroll(api: &Api, sequence: &str, creator: &str) -> Value {
    let (s, v) = api.post(&format!("/sequences/{sequence}/enrollments"), json!({"creator_ids": [creator]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// Runs the sequence runner as if `days` had passed.
async fn days_pass(app: &TestApp, days: i64) {
    rapport_app::sequences::runner::run_due(&app.app, now() + time::Duration::days(days)).await.unwrap();
}

async fn enrollment(api: &Api, creator: &str) -> Value {
    let (_, v) = api.get(&format!("/creators/{creator}/enrollments")).await;
    v[0].clone()
}

async fn enrolling_sends_the_first_step_and_later_steps_follow_in_the_thread(app: TestApp) {
    let s = setup(&app, "Brand").await;
    let r = enroll(&s.api, &s.sequence, &s.ana).await;
    assert_eq!(r["enrolled"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["enrolled"][0]["next_step"], 2);
    let first = s.smtp.wait_for(1).await[0].clone();
    assert_eq!(first.header("Subject").unwrap(), "Hello Ana");
    days_pass(&app, 2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 1, "step 2 waits three days");
    days_pass(&app, 4).await;
    let second = s.smtp.wait_for(2).await[1].clone();
    assert_eq!(second.header("Subject").unwrap(), "Following up");
    assert_eq!(second.header("In-Reply-To"), first.header("Message-ID"));
    assert!(second.data.contains("Ana, did you see my note?"));
    let e = enrollment(&s.api, &s.ana).await;
    assert_eq!(e["status"], "completed");
    days_pass(&app, 30).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 2);
    let (_, timeline) = s.api.get(&format!("/creators/{}/timeline", s.ana)).await;
    let actions: Vec<_> = timeline["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"sequence.enrolled") && actions.contains(&"sequence.completed"), "{actions:?}");
}

async fn a_reply_stops_the_sequence(app: TestApp) {
    let s = setup(&app, "Brand").await;
    enroll(&s.api, &s.sequence, &s.ana).await;
    let first = s.smtp.wait_for(1).await[0].clone();
    let reply = format!(
        "From: Ana <ana@creators.example>\r\nTo: team@brand.example\r\nSubject: Re: Hello Ana\r\n\
         Message-ID: <r1@mail.example>\r\nIn-Reply-To: {0}\r\nReferences: {0}\r\n\r\nYes please!\r\n",
        first.header("Message-ID").unwrap()
    );
    let resp = reqwest::Client::new()
        .post(app.url("/api/v1/inbound/import"))
        .bearer_auth(&s.api.key)
        .body(reply)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let e = enrollment(&s.api, &s.ana).await;
    assert_eq!(e["status"], "stopped");
    assert_eq!(e["stop_reason"], "replied");
    days_pass(&app, 4).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 1);
}

async fn a_stage_change_stops_the_sequence(app: TestApp) {
    let s = setup(&app, "Brand").await;
    enroll(&s.api, &s.sequence, &s.ana).await;
    s.smtp.wait_for(1).await;
    let (st, v) = s.api.post(&format!("/creators/{}/stage", s.ana), json!({"stage": "negotiating"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    days_pass(&app, 4).await;
    let e = enrollment(&s.api, &s.ana).await;
    assert_eq!(e["stop_reason"], "stage_changed");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 1);
}

async fn unsubscribing_stops_the_sequence_and_suppression_holds_across_sequences(app: TestApp) {
    let s = setup(&app, "Brand").await;
    enroll(&s.api, &s.sequence, &s.ana).await;
    let first = s.smtp.wait_for(1).await[0].clone();
    let link = first.header("List-Unsubscribe").unwrap();
    let link = link.trim_start_matches('<').trim_end_matches('>').to_string();
    let r = reqwest::Client::new().post(&link).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let e = enrollment(&s.api, &s.ana).await;
    assert_eq!(e["stop_reason"], "unsubscribed");
    let other = sequence(&s.api, "Winter outreach").await;
    let (_, r) = s.api.post(&format!("/sequences/{other}/enrollments"), json!({"creator_ids": [s.ana]})).await;
    assert!(r["enrolled"].as_array().unwrap().is_empty());
    assert_eq!(r["refused"][0]["field"], "to");
    assert!(r["refused"][0]["message"].as_str().unwrap().contains("suppression list"));
    days_pass(&app, 4).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 1);
}

async fn do_not_contact_stops_the_sequence_and_refuses_enrolment(app: TestApp) {
    let s = setup(&app, "Brand").await;
    enroll(&s.api, &s.sequence, &s.ana).await;
    s.smtp.wait_for(1).await;
    let (st, _) = s.api.patch(&format!("/creators/{}", s.ana), json!({"do_not_contact": true})).await;
    assert_eq!(st, StatusCode::OK);
    days_pass(&app, 4).await;
    assert_eq!(enrollment(&s.api, &s.ana).await["stop_reason"], "do_not_contact");
    let other = sequence(&s.api, "Winter outreach").await;
    let (_, r) = s.api.post(&format!("/sequences/{other}/enrollments"), json!({"creator_ids": [s.ana]})).await;
    assert_eq!(r["refused"][0]["field"], "creator");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 1);
}

async fn a_stopped_enrolment_sends_nothing_more(app: TestApp) {
    let s = setup(&app, "Brand").await;
    let r = enroll(&s.api, &s.sequence, &s.ana).await;
    let e = id(&r["enrolled"][0]);
    let (st, v) = s.api.post(&format!("/enrollments/{e}/stop"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["stop_reason"], "manual");
    let (st, _) = s.api.post(&format!("/enrollments/{e}/stop"), json!({})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    days_pass(&app, 4).await;
    s.smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 1);
}

async fn double_enrolment_and_bad_steps_are_refused(app: TestApp) {
    let s = setup(&app, "Brand").await;
    enroll(&s.api, &s.sequence, &s.ana).await;
    let again = enroll(&s.api, &s.sequence, &s.ana).await;
    assert!(again["refused"][0]["message"].as_str().unwrap().contains("already enrolled"), "{again}");
    let (_, mixed) =
        s.api.post(&format!("/sequences/{}/enrollments", s.sequence), json!({"creator_ids": ["cr_nope"]})).await;
    assert_eq!(mixed["refused"][0]["field"], "creator");
    let t = template(&s.api, "Any", "Hi {{ creator.first_name }}", "Hello {{ creator.first_name }}").await;
    let (st, v) = s
        .api
        .post(
            "/sequences",
            json!({"name": "", "steps": [{"template_id": t, "delay_days": 2},
                                                         {"template_id": "tpl_nope", "delay_days": 3},
                                                         {"template_id": t, "delay_days": 0}]}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "steps[0].delay_days", "steps[1].template_id", "steps[2].delay_days"]);
    let (st, v) = s.api.post("/sequences", json!({"name": "Empty", "steps": []})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

async fn a_read_key_cannot_change_sequences_and_other_workspaces_get_404(app: TestApp) {
    let s = setup(&app, "Brand").await;
    let r = enroll(&s.api, &s.sequence, &s.ana).await;
    let e = id(&r["enrolled"][0]);
    let (other, owner) = app.api_in_new_workspace("Other").await;
    for (st, _) in [
        other.get(&format!("/sequences/{}", s.sequence)).await,
        other.patch(&format!("/sequences/{}", s.sequence), json!({"name": "x"})).await,
        other.delete(&format!("/sequences/{}", s.sequence)).await,
        other.get(&format!("/sequences/{}/enrollments", s.sequence)).await,
        other.post(&format!("/sequences/{}/enrollments", s.sequence), json!({"creator_ids": [s.ana]})).await,
        other.post(&format!("/enrollments/{e}/stop"), json!({})).await,
        other.get(&format!("/creators/{}/enrollments", s.ana)).await,
    ] {
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (_, list) = other.get("/sequences").await;
    assert!(list.as_array().unwrap().is_empty());
    let read = app.api(&app.key(owner.workspace, "read").await);
    let (st, _) = read.post("/sequences", json!({"name": "x", "steps": []})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = read.get("/sequences").await;
    assert_eq!(st, StatusCode::OK);
}

async fn the_sequence_pages_create_enrol_and_stop(app: TestApp) {
    let owner = app.workspace("Brand", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let smtp = SmtpServer::start().await;
    api.put(
        "/settings/email",
        json!({"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                      "from_name": "Brand", "from_email": "team@brand.example"}),
    )
    .await;
    id(&api
        .creator(
            json!({"display_name": "Ana Lima", "contact_points": [{"kind": "email", "value": "ana@creators.example"}]}),
        )
        .await);
    let t = template(&api, "First", "Hi {{ creator.first_name }}", "Hello {{ creator.first_name }}").await;
    let b = app.signed_in(&owner).await;
    let (st, page) = b.submit("/sequences", &[("name", ""), ("template_0", &t)]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"e-name\""));
    let (st, to) = b.submit("/sequences", &[("name", "Quick hello"), ("template_0", &t)]).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{to}");
    let (st, page) = b.submit(&format!("{to}/enroll"), &[("creator", "Nobody")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("matches no creator") && page.contains("value=\"Nobody\""));
    let (st, _) = b.submit(&format!("{to}/enroll"), &[("creator", "ana lima")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    smtp.wait_for(1).await;
    let (_, page) = b.get(&to).await;
    assert!(page.contains("Ana Lima") && page.contains("completed"), "{page}");
    let (st, _) = b.post(&format!("{to}/enroll"), &[("_csrf", "forged"), ("creator", "ana lima")]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn a_logged_dm_reply_stops_the_sequence(app: TestApp) {
    let s = setup(&app, "Brand").await;
    enroll(&s.api, &s.sequence, &s.ana).await;
    s.smtp.wait_for(1).await;
    let (st, v) = s
        .api
        .post(&format!("/creators/{}/interactions", s.ana), json!({"channel": "dm", "direction": "inbound", "platform": "instagram", "body": "Saw your email, let's talk!"}))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    days_pass(&app, 4).await;
    assert_eq!(enrollment(&s.api, &s.ana).await["stop_reason"], "replied");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.smtp.received().len(), 1);
}
