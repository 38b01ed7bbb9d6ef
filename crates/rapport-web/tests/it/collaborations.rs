//! Collaborations and offers through the API: adding creators (once per campaign, never a
//! do-not-contact creator), the stage machine with its history, offers and counter-offers
//! kept as history, accepting one (agreed fee + stage), currencies, the campaign budget,
//! read keys and tenant isolation on every route.

use crate::campaigns::{campaign, fields, id};
use crate::harness::{Api, Person, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_creator_is_added_to_a_campaign_as_invited_and_it_is_on_their_timeline,
    a_creator_is_on_a_campaign_only_once,
    creators_cannot_join_a_completed_campaign,
    a_do_not_contact_creator_cannot_be_added,
    bad_terms_are_refused_naming_each_field,
    the_stage_machine_refuses_a_skip_naming_the_allowed_stages_and_keeps_history,
    declined_and_cancelled_end_a_collaboration,
    the_terms_are_patched_but_the_creator_never_changes,
    offers_and_counter_offers_are_kept_as_history,
    accepting_an_offer_sets_the_agreed_fee_and_moves_to_agreed,
    an_offer_in_another_currency_is_refused,
    an_offer_past_its_expiry_reads_as_expired_and_cannot_be_accepted,
    declined_and_withdrawn_offers_are_closed,
    the_budget_commits_agreed_fees_of_live_collaborations,
    a_creators_collaborations_are_listed,
    a_read_key_cannot_change_collaborations_or_offers,
    collaboration_routes_answer_404_for_another_workspace,
);

struct Deal {
    api: Api,
    person: Person,
    campaign: String,
    creator: String,
    collab: String,
}

/// A workspace with a campaign (EUR, budget 10 000.00) and Ana Lima on it.
async fn deal(app: &TestApp) -> Deal {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let campaign =
        id(&crate::campaigns::campaign(&api, json!({"name": "Summer", "currency": "EUR", "budget_minor": 1_000_000}))
            .await);
    let creator = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let collab = id(&add(&api, &campaign, json!({"creator_id": creator})).await);
    Deal { api, person, campaign, creator, collab }
}

async fn add(api: &Api, campaign: &str, body: Value) -> Value {
    let (s, v) = api.post(&format!("/campaigns/{campaign}/collaborations"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn offer(api: &Api, collab: &str, body: Value) -> Value {
    let (s, v) = api.post(&format!("/collaborations/{collab}/offers"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn stage(api: &Api, collab: &str, to: &str) -> (StatusCode, Value) {
    api.post(&format!("/collaborations/{collab}/stage"), json!({"stage": to})).await
}

async fn a_creator_is_added_to_a_campaign_as_invited_and_it_is_on_their_timeline(app: TestApp) {
    let d = deal(&app).await;
    let (s, v) = d.api.get(&format!("/collaborations/{}", d.collab)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(d.collab.starts_with("col_"));
    assert_eq!((v["stage"].as_str(), v["fee_model"].as_str()), (Some("invited"), Some("flat")));
    assert_eq!((v["creator_name"].as_str(), v["campaign_name"].as_str()), (Some("Ana Lima"), Some("Summer")));
    assert_eq!(v["currency"], "EUR");
    assert_eq!(v["allowed_stages"], json!(["negotiating", "declined", "cancelled"]));
    assert_eq!(v["stage_history"][0]["to_stage"], "invited");
    assert_eq!(v["stage_history"][0]["from_stage"], Value::Null);
    let (_, events) = d.api.get(&format!("/creators/{}/timeline", d.creator)).await;
    let added = events["items"].as_array().unwrap().iter().find(|e| e["action"] == "collaboration.added").unwrap();
    assert_eq!(added["changes"][0]["after"], "Summer");
    let (_, list) = d.api.get(&format!("/campaigns/{}/collaborations", d.campaign)).await;
    assert_eq!(list[0]["id"].as_str(), Some(d.collab.as_str()));
}

async fn a_creator_is_on_a_campaign_only_once(app: TestApp) {
    let d = deal(&app).await;
    let (s, v) =
        d.api.post(&format!("/campaigns/{}/collaborations", d.campaign), json!({"creator_id": d.creator})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::CONFLICT, Some("creator_id")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("Ana Lima is already on this campaign"));
    let other = id(&campaign(&d.api, json!({"name": "Winter"})).await);
    add(&d.api, &other, json!({"creator_id": d.creator})).await;
}

async fn a_do_not_contact_creator_cannot_be_added(app: TestApp) {
    let d = deal(&app).await;
    let ben = id(&d.api.creator(json!({"display_name": "Ben Okafor", "do_not_contact": true})).await);
    let (s, v) = d.api.post(&format!("/campaigns/{}/collaborations", d.campaign), json!({"creator_id": ben})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("do not contact"), "{v}");
    assert_eq!(d.api.get(&format!("/campaigns/{}/collaborations", d.campaign)).await.1.as_array().unwrap().len(), 1);
}

async fn bad_terms_are_refused_naming_each_field(app: TestApp) {
    let d = deal(&app).await;
    let ben = id(&d.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let stranger = app.workspace("Beta", rapport_core::roles::Role::Owner).await;
    let theirs = crate::campaigns::user_id(&app, &stranger).await;
    let body = json!({
        "creator_id": ben, "owner_id": theirs, "fee_model": "barter", "agreed_fee_minor": -1,
        "commission_rate_bp": 20000, "draft_due_on": "soon"
    });
    let (s, v) = d.api.post(&format!("/campaigns/{}/collaborations", d.campaign), body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["owner_id", "fee_model", "agreed_fee_minor", "commission_rate_bp", "draft_due_on"]);
    let (s, v) = d.api.post(&format!("/campaigns/{}/collaborations", d.campaign), json!({})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["creator_id"]));
    let (s, v) = d.api.post(&format!("/campaigns/{}/collaborations", d.campaign), json!({"creator_id": "ana"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["creator_id"]));
}

async fn the_stage_machine_refuses_a_skip_naming_the_allowed_stages_and_keeps_history(app: TestApp) {
    let d = deal(&app).await;
    let (s, v) = stage(&d.api, &d.collab, "contracted").await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::CONFLICT, Some("stage")), "{v}");
    assert!(v["message"].as_str().unwrap().ends_with("allowed: negotiating, declined, cancelled"), "{v}");
    for to in ["negotiating", "agreed", "contracted", "in_production", "completed"] {
        let (s, v) = stage(&d.api, &d.collab, to).await;
        assert_eq!((s, v["stage"].as_str()), (StatusCode::OK, Some(to)), "{v}");
    }
    let (s, v) = stage(&d.api, &d.collab, "cancelled").await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (_, v) = d.api.get(&format!("/collaborations/{}", d.collab)).await;
    let history: Vec<(Value, Value)> = v["stage_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from_stage"].clone(), h["to_stage"].clone()))
        .collect();
    assert_eq!(
        history,
        [
            (Value::Null, json!("invited")),
            (json!("invited"), json!("negotiating")),
            (json!("negotiating"), json!("agreed")),
            (json!("agreed"), json!("contracted")),
            (json!("contracted"), json!("in_production")),
            (json!("in_production"), json!("completed")),
        ]
    );
    assert_eq!(v["stage_history"][1]["actor"].as_str().map(|a| a.starts_with("api_key:")), Some(true));
    let (s, v) = stage(&d.api, &d.collab, "won").await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["stage"]));
}

async fn declined_and_cancelled_end_a_collaboration(app: TestApp) {
    let d = deal(&app).await;
    let open = offer(&d.api, &d.collab, json!({"amount_minor": 1_000})).await;
    let (s, v) = d
        .api
        .post(&format!("/collaborations/{}/stage", d.collab), json!({"stage": "declined", "reason": "Fully booked"}))
        .await;
    assert_eq!((s, v["allowed_stages"].clone()), (StatusCode::OK, json!([])), "{v}");
    let (_, v) = d.api.get(&format!("/collaborations/{}", d.collab)).await;
    assert_eq!(v["stage_history"][2]["reason"], "Fully booked");
    assert_eq!(v["offers"][0]["status"], "declined", "no offer stays open on an ended deal");
    assert_eq!(d.api.post(&format!("/offers/{}/accept", id(&open)), json!({})).await.0, StatusCode::CONFLICT);
    let ben = id(&d.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let ben_collab = id(&add(&d.api, &d.campaign, json!({"creator_id": ben})).await);
    offer(&d.api, &ben_collab, json!({"amount_minor": 2_000})).await;
    let (s, _) = stage(&d.api, &ben_collab, "cancelled").await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = d.api.get(&format!("/collaborations/{ben_collab}/offers")).await;
    assert_eq!(v[0]["status"], "withdrawn");
    let (s, v) = stage(&d.api, &d.collab, "negotiating").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(v["message"].as_str().unwrap().contains("declined cannot change stage"), "{v}");
}

async fn the_terms_are_patched_but_the_creator_never_changes(app: TestApp) {
    let d = deal(&app).await;
    let path = format!("/collaborations/{}", d.collab);
    let body = json!({
        "fee_model": "hybrid", "agreed_fee_minor": 150_000, "product_value_minor": 8_000, "commission_rate_bp": 1250,
        "usage_rights": "Organic reposts, 6 months", "exclusivity": "No other SPF brand",
        "exclusivity_ends_on": "2030-12-31", "draft_due_on": "2030-06-10", "publish_due_on": "2030-06-20"
    });
    let (s, v) = d.api.patch(&path, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["fee_model"].as_str(), v["commission_rate_bp"].as_i64()), (Some("hybrid"), Some(1250)));
    assert_eq!((v["exclusivity_ends_on"].as_str(), v["stage"].as_str()), (Some("2030-12-31"), Some("invited")));
    let (s, v) = d.api.patch(&path, json!({"usage_rights": null})).await;
    assert_eq!(
        (s, v["usage_rights"].clone(), v["agreed_fee_minor"].as_i64()),
        (StatusCode::OK, Value::Null, Some(150_000))
    );
    let ben = id(&d.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let (s, v) = d.api.patch(&path, json!({"creator_id": ben})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["creator_id"]));
    let (s, v) = d.api.patch(&path, json!({"stage": "agreed"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["stage"]));
    let (s, v) = d.api.patch(&path, json!({"fee_model": "gifted"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["agreed_fee_minor"]));
}

async fn offers_and_counter_offers_are_kept_as_history(app: TestApp) {
    let d = deal(&app).await;
    let first = offer(
        &d.api,
        &d.collab,
        json!({"amount_minor": 100_000, "deliverables": "1 reel, 2 stories", "usage_rights": "Organic, 3 months"}),
    )
    .await;
    assert!(id(&first).starts_with("of_"));
    assert_eq!((first["status"].as_str(), first["direction"].as_str()), (Some("open"), Some("brand_to_creator")));
    assert_eq!(first["currency"], "EUR");
    let (_, c) = d.api.get(&format!("/collaborations/{}", d.collab)).await;
    assert_eq!(c["stage"], "negotiating", "the first offer opens the negotiation");
    let counter = offer(
        &d.api,
        &d.collab,
        json!({"direction": "creator_to_brand", "amount_minor": 140_000, "exclusivity": "30 days", "currency": "eur"}),
    )
    .await;
    let (s, list) = d.api.get(&format!("/collaborations/{}/offers", d.collab)).await;
    assert_eq!(s, StatusCode::OK);
    let seen: Vec<(&str, &str, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["direction"].as_str().unwrap(), o["status"].as_str().unwrap(), o["amount_minor"].as_i64().unwrap()))
        .collect();
    assert_eq!(seen, [("brand_to_creator", "countered", 100_000), ("creator_to_brand", "open", 140_000)]);
    let (_, c) = d.api.get(&format!("/collaborations/{}", d.collab)).await;
    assert_eq!(c["latest_offer"]["id"], counter["id"]);
    assert_eq!(c["offers"].as_array().unwrap().len(), 2);
    let (s, v) = d.api.post(&format!("/collaborations/{}/offers", d.collab), json!({"direction": "x"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["direction", "amount_minor"]));
}

async fn accepting_an_offer_sets_the_agreed_fee_and_moves_to_agreed(app: TestApp) {
    let d = deal(&app).await;
    offer(&d.api, &d.collab, json!({"amount_minor": 100_000})).await;
    let counter = offer(
        &d.api,
        &d.collab,
        json!({"direction": "creator_to_brand", "amount_minor": 120_000, "usage_rights": "Paid ads, 12 months"}),
    )
    .await;
    let (s, v) = d.api.post(&format!("/offers/{}/accept", id(&counter)), json!({})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("accepted")), "{v}");
    let (_, c) = d.api.get(&format!("/collaborations/{}", d.collab)).await;
    assert_eq!((c["stage"].as_str(), c["agreed_fee_minor"].as_i64()), (Some("agreed"), Some(120_000)));
    assert_eq!(c["usage_rights"], "Paid ads, 12 months");
    let last = c["stage_history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["from_stage"].as_str(), last["to_stage"].as_str()), (Some("negotiating"), Some("agreed")));
    assert_eq!(last["reason"], "Offer accepted");
    let (s, v) = d.api.post(&format!("/offers/{}/accept", id(&counter)), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = d.api.post(&format!("/collaborations/{}/offers", d.collab), json!({"amount_minor": 1})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::CONFLICT, Some("stage")), "no offers once agreed: {v}");
    let (_, events) = d.api.get(&format!("/creators/{}/timeline", d.creator)).await;
    assert!(events["items"].as_array().unwrap().iter().any(|e| e["action"] == "offer.accepted"));
}

async fn an_offer_in_another_currency_is_refused(app: TestApp) {
    let d = deal(&app).await;
    let (s, v) = d
        .api
        .post(&format!("/collaborations/{}/offers", d.collab), json!({"amount_minor": 1, "currency": "USD"}))
        .await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["currency"]), "{v}");
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("EUR"));
    assert_eq!(d.api.get(&format!("/collaborations/{}/offers", d.collab)).await.1, json!([]));
}

async fn an_offer_past_its_expiry_reads_as_expired_and_cannot_be_accepted(app: TestApp) {
    let d = deal(&app).await;
    let (s, v) = d
        .api
        .post(&format!("/collaborations/{}/offers", d.collab), json!({"amount_minor": 1, "expires_at": "2020-01-01"}))
        .await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["expires_at"]));
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let o = offer(&d.api, &d.collab, json!({"amount_minor": 5_000, "expires_at": soon})).await;
    assert_eq!(o["status"], "open");
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let (_, list) = d.api.get(&format!("/collaborations/{}/offers", d.collab)).await;
    assert_eq!(list[0]["status"], "expired");
    let (s, v) = d.api.post(&format!("/offers/{}/accept", id(&o)), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(v["message"].as_str().unwrap().contains("expired"), "{v}");
    let next = offer(&d.api, &d.collab, json!({"amount_minor": 6_000})).await;
    let (_, list) = d.api.get(&format!("/collaborations/{}/offers", d.collab)).await;
    assert_eq!((list[0]["status"].as_str(), list[1]["id"].clone()), (Some("expired"), next["id"].clone()));
}

async fn declined_and_withdrawn_offers_are_closed(app: TestApp) {
    let d = deal(&app).await;
    let a = offer(&d.api, &d.collab, json!({"amount_minor": 1_000})).await;
    let (s, v) = d.api.post(&format!("/offers/{}/decline", id(&a)), json!({})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("declined")), "{v}");
    let b = offer(&d.api, &d.collab, json!({"amount_minor": 2_000})).await;
    let (s, v) = d.api.post(&format!("/offers/{}/withdraw", id(&b)), json!({})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("withdrawn")), "{v}");
    assert_eq!(d.api.post(&format!("/offers/{}/withdraw", id(&b)), json!({})).await.0, StatusCode::CONFLICT);
    assert_eq!(d.api.post(&format!("/offers/{}/accept", id(&a)), json!({})).await.0, StatusCode::CONFLICT);
    let (_, c) = d.api.get(&format!("/collaborations/{}", d.collab)).await;
    assert_eq!((c["stage"].as_str(), c["agreed_fee_minor"].clone()), (Some("negotiating"), Value::Null));
}

async fn the_budget_commits_agreed_fees_of_live_collaborations(app: TestApp) {
    let d = deal(&app).await;
    let o = offer(&d.api, &d.collab, json!({"amount_minor": 400_000})).await;
    d.api.post(&format!("/offers/{}/accept", id(&o)), json!({})).await;
    let ben = id(&d.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let ben_collab = id(&add(&d.api, &d.campaign, json!({"creator_id": ben, "agreed_fee_minor": 700_000})).await);
    let cara = id(&d.api.creator(json!({"display_name": "Cara Diaz"})).await);
    let cara_collab = id(&add(&d.api, &d.campaign, json!({"creator_id": cara, "agreed_fee_minor": 50_000})).await);
    stage(&d.api, &cara_collab, "declined").await;
    let (_, v) = d.api.get(&format!("/campaigns/{}", d.campaign)).await;
    assert_eq!((v["committed_minor"].as_i64(), v["remaining_minor"].as_i64()), (Some(1_100_000), Some(-100_000)));
    assert_eq!(v["collaborations"].as_i64(), Some(3));
    stage(&d.api, &ben_collab, "cancelled").await;
    let (_, v) = d.api.get(&format!("/campaigns/{}", d.campaign)).await;
    assert_eq!((v["committed_minor"].as_i64(), v["remaining_minor"].as_i64()), (Some(400_000), Some(600_000)));
}

async fn a_creators_collaborations_are_listed(app: TestApp) {
    let d = deal(&app).await;
    let winter = id(&campaign(&d.api, json!({"name": "Winter"})).await);
    add(&d.api, &winter, json!({"creator_id": d.creator})).await;
    let (s, v) = d.api.get(&format!("/creators/{}/collaborations", d.creator)).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|c| c["campaign_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Winter", "Summer"]);
    d.api.delete(&format!("/campaigns/{winter}")).await;
    let (_, v) = d.api.get(&format!("/creators/{}/collaborations", d.creator)).await;
    assert_eq!(v.as_array().unwrap().len(), 1, "a deleted campaign's deals are hidden");
}

async fn a_read_key_cannot_change_collaborations_or_offers(app: TestApp) {
    let d = deal(&app).await;
    let o = id(&offer(&d.api, &d.collab, json!({"amount_minor": 1_000})).await);
    let read = app.api(&app.key(d.person.workspace, "read").await);
    let ben = id(&d.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let c = &d.collab;
    assert_eq!(
        read.post(&format!("/campaigns/{}/collaborations", d.campaign), json!({"creator_id": ben})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        read.patch(&format!("/collaborations/{c}"), json!({"usage_rights": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(stage(&read, c, "agreed").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        read.post(&format!("/collaborations/{c}/offers"), json!({"amount_minor": 1})).await.0,
        StatusCode::FORBIDDEN
    );
    for action in ["accept", "decline", "withdraw"] {
        assert_eq!(read.post(&format!("/offers/{o}/{action}"), json!({})).await.0, StatusCode::FORBIDDEN, "{action}");
    }
    let (s, v) = read.get(&format!("/collaborations/{c}")).await;
    assert_eq!(
        (s, v["stage"].as_str(), v["offers"][0]["status"].as_str()),
        (StatusCode::OK, Some("negotiating"), Some("open"))
    );
}

async fn collaboration_routes_answer_404_for_another_workspace(app: TestApp) {
    let d = deal(&app).await;
    let o = id(&offer(&d.api, &d.collab, json!({"amount_minor": 1_000})).await);
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let theirs = id(&campaign(&b, json!({"name": "Beta's campaign"})).await);
    let (cp, cr, c) = (&d.campaign, &d.creator, &d.collab);
    assert_eq!(b.get(&format!("/campaigns/{cp}/collaborations")).await.0, StatusCode::NOT_FOUND);
    let (s, _) = b.post(&format!("/campaigns/{cp}/collaborations"), json!({"creator_id": cr})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = b.post(&format!("/campaigns/{theirs}/collaborations"), json!({"creator_id": cr})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another workspace's creator: {v}");
    assert_eq!(b.get(&format!("/creators/{cr}/collaborations")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/collaborations/{c}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.patch(&format!("/collaborations/{c}"), json!({"usage_rights": "x"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stage(&b, c, "declined").await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/collaborations/{c}/offers")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        b.post(&format!("/collaborations/{c}/offers"), json!({"amount_minor": 1})).await.0,
        StatusCode::NOT_FOUND
    );
    for action in ["accept", "decline", "withdraw"] {
        assert_eq!(b.post(&format!("/offers/{o}/{action}"), json!({})).await.0, StatusCode::NOT_FOUND, "{action}");
    }
    let (_, v) = d.api.get(&format!("/collaborations/{c}")).await;
    assert_eq!((v["stage"].as_str(), v["offers"][0]["status"].as_str()), (Some("negotiating"), Some("open")));
}

async fn creators_cannot_join_a_completed_campaign(app: TestApp) {
    let d = deal(&app).await;
    for to in ["active", "completed"] {
        d.api.post(&format!("/campaigns/{}/status", d.campaign), json!({"status": to})).await;
    }
    let ben = id(&d.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let (s, v) = d.api.post(&format!("/campaigns/{}/collaborations", d.campaign), json!({"creator_id": ben})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("the campaign is completed"), "{v}");
    let (s, v) = stage(&d.api, &d.collab, "negotiating").await;
    assert_eq!(s, StatusCode::OK, "its existing deals carry on: {v}");
}
