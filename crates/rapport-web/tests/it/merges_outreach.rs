//! A merge also moves what outreach and campaigns attached to the loser — emails sent and
//! received, sequence enrolments, campaign collaborations — and undo moves them back; two
//! creators in the same campaign cannot be merged.

use crate::harness::{Api, TestApp};
use crate::smtp_server::SmtpServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_merge_moves_emails_enrolments_and_collaborations_and_undo_moves_them_back,
    creators_in_the_same_campaign_cannot_be_merged,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn len(api: &Api, path: &str) -> usize {
    let (s, v) = api.get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v.as_array().unwrap().len()
}

async fn campaign_with(api: &Api, name: &str, creator: &str) -> String {
    let (s, c) = api.post("/campaigns", json!({"name": name})).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (s, v) = api.post(&format!("/campaigns/{}/collaborations", id(&c)), json!({"creator_id": creator})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    id(&c)
}

async fn a_merge_moves_emails_enrolments_and_collaborations_and_undo_moves_them_back(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let smtp = SmtpServer::start().await;
    api.put(
        "/settings/email",
        json!({"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                      "from_name": "Acme", "from_email": "team@acme.example", "lock_days": 0}),
    )
    .await;
    let ana = id(&api.creator(json!({"display_name": "Ana Silva"})).await);
    let dup = id(&api
        .creator(json!({"display_name": "Ana S.", "contact_points": [{"kind": "email", "value": "ana.s@example.com"}]}))
        .await);
    let (s, v) = api.post(&format!("/creators/{dup}/emails"), json!({"subject": "Hi", "body": "Hello Ana"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    smtp.wait_for(1).await;
    let reply = "From: Ana <ana.s@example.com>\r\nSubject: Re: Hi\r\nMessage-ID: <m1@example.com>\r\n\r\nYes!\r\n";
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/inbound/import"))
        .bearer_auth(&api.key)
        .body(reply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, t) = api
        .post(
            "/playbook/templates",
            json!({"kind": "email", "name": "Hi", "subject": "Hi {{ creator.first_name }}",
                                            "body": "Hello {{ creator.first_name }}"}),
        )
        .await;
    let (_, sq) = api
        .post(
            "/sequences",
            json!({"name": "Seq", "steps": [{"template_id": id(&t), "delay_days": 0},
                                                                       {"template_id": id(&t), "delay_days": 5}]}),
        )
        .await;
    let (_, e) = api.post(&format!("/sequences/{}/enrollments", id(&sq)), json!({"creator_ids": [dup]})).await;
    assert_eq!(e["enrolled"].as_array().unwrap().len(), 1, "{e}");
    campaign_with(&api, "Summer", &dup).await;

    let (s, m) = api.post(&format!("/creators/{ana}/merge"), json!({"loser_id": dup})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["moved"]["emails"], 2, "the email and the sequence's first step");
    assert_eq!(m["moved"]["received_emails"], 1);
    assert_eq!(m["moved"]["sequence_enrollments"], 1);
    assert_eq!(m["moved"]["collaborations"], 1);
    assert_eq!(len(&api, &format!("/creators/{ana}/emails")).await, 2);
    assert_eq!(len(&api, &format!("/inbound?creator_id={ana}")).await, 1);
    assert_eq!(len(&api, &format!("/creators/{ana}/enrollments")).await, 1);
    assert_eq!(len(&api, &format!("/creators/{ana}/collaborations")).await, 1);

    let (s, u) = api.post(&format!("/merges/{}/undo", id(&m)), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(len(&api, &format!("/creators/{ana}/emails")).await, 0);
    assert_eq!(len(&api, &format!("/creators/{dup}/emails")).await, 2);
    assert_eq!(len(&api, &format!("/inbound?creator_id={dup}")).await, 1);
    assert_eq!(len(&api, &format!("/creators/{dup}/enrollments")).await, 1);
    assert_eq!(len(&api, &format!("/creators/{dup}/collaborations")).await, 1);
}

async fn creators_in_the_same_campaign_cannot_be_merged(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana Silva"})).await);
    let dup = id(&api.creator(json!({"display_name": "Ana S."})).await);
    let summer = campaign_with(&api, "Summer", &ana).await;
    let (s, _) = api.post(&format!("/campaigns/{summer}/collaborations"), json!({"creator_id": dup})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = api.post(&format!("/creators/{ana}/merge"), json!({"loser_id": dup})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["field"], "loser_id");
    assert!(v["message"].as_str().unwrap().contains("both in a campaign"), "{v}");
    assert_eq!(api.get(&format!("/creators/{dup}")).await.0, StatusCode::OK, "nothing changed");
}
