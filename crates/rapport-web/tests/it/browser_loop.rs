//! The whole review loop in a real browser: the team writes the brief, the creator signs
//! in to the portal with the emailed link, confirms the brief and submits a draft, the
//! team requests changes, the creator resubmits, and the team approves with the checklist.

use crate::browser::{ONE_BROWSER, open_browser, sign_in, wait_for_text};
use crate::harness::{Engine, TestApp};
use crate::smtp_server::SmtpServer;
use rapport_core::roles::Role;
use serde_json::json;

fn id(v: &serde_json::Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The newest sign-in secret emailed to an address (read from the outbox).
async fn sign_in_secret(app: &TestApp, to: &str) -> String {
    let mut r = app.app.db.read().await.unwrap();
    let rows: Vec<(String,)> = r
        .conn()
        .fetch_all(
            "SELECT body FROM outbox_messages WHERE to_email = $1 ORDER BY id DESC",
            rapport_store::args![to.to_string()],
        )
        .await
        .unwrap();
    rows.iter()
        .find_map(|(b,)| b.split("/portal/sign-in/").nth(1).map(|t| t.split_whitespace().next().unwrap().to_string()))
        .expect("a sign-in link was emailed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_then_draft_in_the_portal_then_changes_then_resubmission_then_approval() {
    let _turn = ONE_BROWSER.lock().await;
    let Some((mut driver, b, _profile)) = open_browser().await else { return };
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let owner = app.workspace("Loop Studio", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let smtp = SmtpServer::start().await;
    api.put(
        "/settings/email",
        json!({"host": "127.0.0.1", "port": smtp.port, "security": "none", "from_name": "Loop",
               "from_email": "team@loop.example", "max_per_hour": 100, "lock_days": 14}),
    )
    .await;
    let (_, cp) = api.post("/campaigns", json!({"name": "Summer Glow", "required_hashtags": ["summerglow"]})).await;
    let ana = id(&api
        .creator(json!({"display_name": "Ana Lima",
                        "contact_points": [{"kind": "email", "value": "ana@example.com", "primary": true}]}))
        .await);
    let (_, col) = api.post(&format!("/campaigns/{}/collaborations", id(&cp)), json!({"creator_id": ana})).await;
    let (_, dl) = api
        .post(&format!("/collaborations/{}/deliverables", id(&col)), json!({"platform": "instagram", "format": "reel"}))
        .await;
    let dl = id(&dl);

    // The team writes the brief.
    sign_in(&b, &app, &owner).await;
    b.goto(&app.url(&format!("/campaigns/{}/brief", id(&cp)))).await;
    b.type_into("#b-goals", "Launch the SPF 50 line").await;
    b.type_into("#b-non", "Show the bottle").await;
    b.click("form.record-form button[type=submit]").await;
    wait_for_text(&b, "the brief saved", "Brief version 1 saved.").await;

    // The team emails the sign-in link from the deal page; the creator opens and confirms it.
    b.goto(&app.url(&format!("/collaborations/{}", id(&col)))).await;
    b.click("form[action$='/portal-link'] button").await;
    wait_for_text(&b, "the link sent", "Portal sign-in link sent to ana@example.com.").await;
    let secret = sign_in_secret(&app, "ana@example.com").await;
    b.goto(&app.url(&format!("/portal/sign-in/{secret}"))).await;
    b.click("form button[type=submit]").await;
    b.wait_for_url("the portal home", &app.base, |p| p == "/portal").await;
    b.click(".portal-deals a").await;
    wait_for_text(&b, "the brief in the portal", "Launch the SPF 50 line").await;
    b.click("form[action$='/acknowledge'] button").await;
    wait_for_text(&b, "the acknowledgement", "you confirmed reading version 1").await;

    // The creator submits a first draft.
    b.goto(&app.url(&format!("/portal/deliverables/{dl}"))).await;
    b.type_into("#f-caption", "Sunny days #summerglow #ad").await;
    b.type_into("#f-links", "https://drive.example.com/v1").await;
    b.click("form[action$='/submissions'] button[type=submit]").await;
    wait_for_text(&b, "the first draft", "Waiting for review").await;

    // The team asks for changes.
    b.goto(&app.url(&format!("/deliverables/{dl}"))).await;
    b.type_into("#r-feedback", "Please show the bottle in the first seconds").await;
    b.click("form.review-form button[value=changes_requested]").await;
    wait_for_text(&b, "the decision", "Decision recorded.").await;

    // The creator sees the feedback and resubmits.
    b.goto(&app.url(&format!("/portal/deliverables/{dl}"))).await;
    wait_for_text(&b, "the feedback in the portal", "Please show the bottle in the first seconds").await;
    b.type_into("#f-caption", "#ad Bottle first, then sunny days #summerglow").await;
    b.click("form[action$='/submissions'] button[type=submit]").await;
    wait_for_text(&b, "the second draft", "Version 2").await;

    // The team ticks the checklist and approves.
    b.goto(&app.url(&format!("/deliverables/{dl}"))).await;
    let boxes = b.execute("return document.querySelectorAll('.review-form input[name=checked]').length").await;
    for i in 0..boxes.as_u64().unwrap() {
        b.click(&format!(".review-form input[name=checked][value='{i}']")).await;
    }
    b.click("form.review-form button[value=approved]").await;
    wait_for_text(&b, "the approval", "Decision recorded.").await;

    let (_, d) = api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "approved");
    let subs = d["submissions"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(
        (subs[0]["decision"].as_str(), subs[1]["decision"].as_str()),
        (Some("changes_requested"), Some("approved"))
    );
    assert_eq!(subs[0]["submitted_by_label"], "Ana Lima");
    assert_eq!(d["revision_rounds"], 1);
    let (_, brief) = api.get(&format!("/campaigns/{}/brief", id(&cp))).await;
    assert_eq!(brief["acknowledgements"][0]["version"], 1);
    b.quit(&mut driver).await;
}
