//! The deal page of a collaboration: offers and counter-offers recorded from the page, with
//! inline errors keeping what was typed; accepting sets the agreed fee; CSRF, viewers and
//! other workspaces.

use crate::harness::{Api, Browser, TestApp};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    offers_and_counter_offers_are_recorded_and_accepted_on_the_deal_page,
    a_bad_offer_is_shown_again_with_the_error_and_what_was_typed,
    deal_pages_need_csrf_and_write_access_and_stay_in_their_workspace,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// An owner signed in, a write key, and a deal: Ana on the Summer campaign (EUR).
async fn deal(app: &TestApp) -> (Browser, Api, String, rapport_core::ids::WorkspaceId) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let (s, c) = api.post("/campaigns", json!({"name": "Summer", "currency": "EUR"})).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (s, d) = api.post(&format!("/campaigns/{}/collaborations", id(&c)), json!({"creator_id": ana})).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    (app.signed_in(&owner).await, api, id(&d), owner.workspace)
}

async fn offers_and_counter_offers_are_recorded_and_accepted_on_the_deal_page(app: TestApp) {
    let (b, api, d, _) = deal(&app).await;
    let (s, page) = b.get(&format!("/collaborations/{d}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("No offer yet.") && page.contains("Record an offer"));
    let ours = [
        ("direction", "brand_to_creator"),
        ("amount", "2 000"),
        ("deliverables", "2 reels"),
        ("usage_rights", "6 months organic"),
    ];
    let (s, to) = b.submit(&format!("/collaborations/{d}/offers"), &ours).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let theirs = [("direction", "creator_to_brand"), ("amount", "2500.50"), ("deliverables", "2 reels, 3 stories")];
    let (s, _) = b.submit(&format!("/collaborations/{d}/offers"), &theirs).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, detail) = api.get(&format!("/collaborations/{d}")).await;
    let offers = detail["offers"].as_array().unwrap();
    assert_eq!(offers[0]["status"], "countered");
    assert_eq!(offers[1]["amount_minor"], 250050);
    let (_, page) = b.get(&format!("/collaborations/{d}")).await;
    assert!(page.contains("Creator&#39;s counter-offer") || page.contains("Creator's counter-offer"), "{page}");
    assert!(page.contains("countered"));
    let (s, _) = b.submit(&format!("/offers/{}/accept", id(&offers[1])), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, detail) = api.get(&format!("/collaborations/{d}")).await;
    assert_eq!(detail["agreed_fee_minor"], 250050);
    assert_eq!(detail["stage"], "agreed");
    let (_, page) = b.get(&format!("/collaborations/{d}")).await;
    assert!(!page.contains("Record an offer"), "an agreed deal takes no more offers");
}

async fn a_bad_offer_is_shown_again_with_the_error_and_what_was_typed(app: TestApp) {
    let (b, api, d, _) = deal(&app).await;
    let form = [("direction", "brand_to_creator"), ("amount", "lots"), ("deliverables", "Kept text")];
    let (s, page) = b.submit(&format!("/collaborations/{d}/offers"), &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"e-amount\"") && page.contains("value=\"lots\"") && page.contains("Kept text"),
        "{page}"
    );
    let (_, detail) = api.get(&format!("/collaborations/{d}")).await;
    assert!(detail["offers"].as_array().unwrap().is_empty());
}

async fn deal_pages_need_csrf_and_write_access_and_stay_in_their_workspace(app: TestApp) {
    let (b, api, d, ws) = deal(&app).await;
    let (_, o) = api.post(&format!("/collaborations/{d}/offers"), json!({"amount_minor": 100000})).await;
    let offer = id(&o);
    let (s, _) = b.post(&format!("/collaborations/{d}/offers"), &[("_csrf", "forged"), ("amount", "10")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = b.post(&format!("/offers/{offer}/accept"), &[("_csrf", "forged")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    assert_eq!(viewer.workspace, ws);
    let v = app.signed_in(&viewer).await;
    let (s, page) = v.get(&format!("/collaborations/{d}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("Record an offer") && !page.contains("/accept\""));
    let (s, _) = v.submit(&format!("/offers/{offer}/accept"), &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = app.workspace("Other", Role::Owner).await;
    let o = app.signed_in(&other).await;
    assert_eq!(o.get(&format!("/collaborations/{d}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(o.submit(&format!("/collaborations/{d}/offers"), &[("amount", "10")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(o.submit(&format!("/offers/{offer}/decline"), &[]).await.0, StatusCode::NOT_FOUND);
    let (_, detail) = api.get(&format!("/collaborations/{d}")).await;
    assert_eq!(detail["offers"][0]["status"], "open");
}
