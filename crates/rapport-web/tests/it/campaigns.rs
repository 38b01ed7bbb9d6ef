//! Campaigns through the API: create, list by status, show, patch, status lifecycle with
//! 409s naming the allowed statuses, team members from the workspace, soft delete and
//! restore, read keys and tenant isolation. The pages are in `campaign_pages`.

use crate::harness::{Api, Person, TestApp};
use rapport_app::Ctx;
use rapport_core::actor::Actor;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_campaign_is_created_as_a_draft_with_normalised_lists,
    a_bad_campaign_is_refused_naming_each_field,
    team_members_must_belong_to_the_workspace,
    a_campaign_is_patched_and_null_clears_a_field,
    the_status_moves_one_step_at_a_time_and_a_forbidden_move_names_the_allowed_ones,
    campaigns_are_listed_by_status,
    a_deleted_campaign_leaves_the_list_and_can_be_restored,
    the_currency_is_fixed_once_money_is_recorded,
    a_read_key_cannot_change_campaigns,
    campaign_routes_answer_404_for_another_workspaces_campaigns,
    the_openapi_document_describes_campaigns_and_collaborations,
);

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

pub fn fields(v: &Value) -> Vec<&str> {
    v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect()
}

/// The user id (`usr_…`) of a person.
pub async fn user_id(app: &TestApp, p: &Person) -> String {
    let ctx = Ctx::system(p.workspace, Actor::System, "test");
    let members = rapport_app::members::list(&app.app, &ctx).await.unwrap();
    members.into_iter().find(|m| m.email == p.email).unwrap().user_id.to_string()
}

/// Creates a campaign, asserting 201.
pub async fn campaign(api: &Api, body: Value) -> Value {
    let (s, v) = api.post("/campaigns", body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn a_campaign_is_created_as_a_draft_with_normalised_lists(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let me = user_id(&app, &p).await;
    let v = campaign(
        &api,
        json!({
            "name": "  Summer Glow ", "objective": "Launch the SPF line", "starts_on": "2030-06-01",
            "ends_on": "2030-08-31", "budget_minor": 2_500_000, "currency": "eur", "disclosure_profile": "eu_de",
            "required_hashtags": ["#Werbung", "werbung", "#SummerGlow"], "required_mentions": ["@Acme.Beauty"],
            "tags": ["Q3", "skincare"], "team_member_ids": [me]
        }),
    )
    .await;
    assert!(id(&v).starts_with("cp_"));
    assert_eq!(v["name"], "Summer Glow");
    assert_eq!((v["status"].as_str(), v["currency"].as_str()), (Some("draft"), Some("EUR")));
    assert_eq!(v["allowed_statuses"], json!(["active"]));
    assert_eq!(v["required_hashtags"], json!(["werbung", "summerglow"]));
    assert_eq!(v["required_mentions"], json!(["acme.beauty"]));
    assert_eq!(v["tags"], json!(["q3", "skincare"]));
    assert_eq!(v["team"][0]["id"].as_str(), Some(me.as_str()));
    assert_eq!((v["budget_minor"].as_i64(), v["committed_minor"].as_i64()), (Some(2_500_000), Some(0)));
    assert_eq!(v["remaining_minor"].as_i64(), Some(2_500_000));
    let (s, got) = api.get(&format!("/campaigns/{}", id(&v))).await;
    assert_eq!((s, got["disclosure_profile"].as_str()), (StatusCode::OK, Some("eu_de")));
}

async fn a_bad_campaign_is_refused_naming_each_field(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api
        .post(
            "/campaigns",
            json!({
                "name": " ", "starts_on": "2030-06-02", "ends_on": "2030-06-01", "budget_minor": -1,
                "currency": "EURO", "disclosure_profile": "fr", "required_hashtags": ["#two words"]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["name", "ends_on", "budget_minor", "currency", "disclosure_profile", "required_hashtags"]);
    let (s, v) = api.post("/campaigns", json!({"name": "x", "colour": "red"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["colour"]));
    assert_eq!(api.get("/campaigns").await.1, json!([]));
}

async fn team_members_must_belong_to_the_workspace(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let stranger = app.workspace("Beta", Role::Owner).await;
    let theirs = user_id(&app, &stranger).await;
    let (s, v) = api.post("/campaigns", json!({"name": "x", "team_member_ids": [theirs]})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["team_member_ids"]), "{v}");
    let (s, v) = api.post("/campaigns", json!({"name": "x", "team_member_ids": ["nobody"]})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["team_member_ids"]));
    let member = app.person_in("Acme", "mia@example.com", Role::Member).await;
    let mia = user_id(&app, &member).await;
    let c = campaign(&api, json!({"name": "x"})).await;
    let (s, v) = api.patch(&format!("/campaigns/{}", id(&c)), json!({"team_member_ids": [mia]})).await;
    assert_eq!((s, v["team"][0]["id"].as_str()), (StatusCode::OK, Some(mia.as_str())), "{v}");
    let (s, v) = api.patch(&format!("/campaigns/{}", id(&c)), json!({"team_member_ids": [theirs]})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["team_member_ids"]));
}

async fn a_campaign_is_patched_and_null_clears_a_field(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = campaign(&api, json!({"name": "Summer", "objective": "Reach", "budget_minor": 1000, "tags": ["a"]})).await;
    let path = format!("/campaigns/{}", id(&c));
    let (s, v) = api.patch(&path, json!({"name": "Summer 2030", "objective": null, "budget_minor": 5000})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["name"].as_str(), v["objective"].clone()), (Some("Summer 2030"), Value::Null));
    assert_eq!((v["budget_minor"].as_i64(), v["tags"].clone()), (Some(5000), json!(["a"])));
    let (s, v) = api.patch(&path, json!({"ends_on": "2020-01-01", "starts_on": "2021-01-01"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["ends_on"]));
    let (s, v) = api.patch(&path, json!({"status": "active"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status"]), "status moves only by its route");
}

async fn the_status_moves_one_step_at_a_time_and_a_forbidden_move_names_the_allowed_ones(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = campaign(&api, json!({"name": "Summer"})).await;
    let path = format!("/campaigns/{}/status", id(&c));
    let (s, v) = api.post(&path, json!({"status": "completed"})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{v}");
    assert!(v["message"].as_str().unwrap().ends_with("allowed: active"), "{v}");
    for (to, next) in [("active", json!(["completed"])), ("completed", json!(["archived"])), ("archived", json!([]))] {
        let (s, v) = api.post(&path, json!({"status": to})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some(to)), "{v}");
        assert_eq!(v["allowed_statuses"], next);
    }
    let (s, v) = api.post(&path, json!({"status": "draft"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(v["message"].as_str().unwrap().contains("archived cannot change status"), "{v}");
    let (s, v) = api.post(&path, json!({"status": "paused"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status"]));
}

async fn campaigns_are_listed_by_status(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let a = campaign(&api, json!({"name": "Spring"})).await;
    campaign(&api, json!({"name": "Summer"})).await;
    api.post(&format!("/campaigns/{}/status", id(&a)), json!({"status": "active"})).await;
    let names =
        |v: Value| v.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(api.get("/campaigns").await.1), ["Summer", "Spring"]);
    assert_eq!(names(api.get("/campaigns?status=active").await.1), ["Spring"]);
    assert_eq!(names(api.get("/campaigns?status=draft").await.1), ["Summer"]);
    let (s, v) = api.get("/campaigns?status=paused").await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status"]));
}

async fn a_deleted_campaign_leaves_the_list_and_can_be_restored(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = campaign(&api, json!({"name": "Summer"})).await;
    let path = format!("/campaigns/{}", id(&c));
    assert_eq!(api.delete(&path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/campaigns").await.1, json!([]));
    assert_eq!(api.get("/campaigns?deleted=true").await.1[0]["name"], "Summer");
    let (s, v) = api.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["deleted_at"].is_string());
    assert_eq!(
        api.patch(&path, json!({"name": "x"})).await.0,
        StatusCode::NOT_FOUND,
        "a deleted campaign is read-only"
    );
    let (s, v) = api.post(&format!("{path}/restore"), json!({})).await;
    assert_eq!((s, v["deleted_at"].clone()), (StatusCode::OK, Value::Null));
    assert_eq!(api.get("/campaigns").await.1[0]["name"], "Summer");
}

async fn the_currency_is_fixed_once_money_is_recorded(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = campaign(&api, json!({"name": "Summer", "currency": "EUR"})).await;
    let path = format!("/campaigns/{}", id(&c));
    let (s, v) = api.patch(&path, json!({"currency": "USD"})).await;
    assert_eq!((s, v["currency"].as_str()), (StatusCode::OK, Some("USD")), "nothing recorded yet");
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (s, v) = api.post(&format!("{path}/collaborations"), json!({"creator_id": ana, "agreed_fee_minor": 100})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api.patch(&path, json!({"currency": "EUR"})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::CONFLICT, Some("currency")), "{v}");
}

async fn a_read_key_cannot_change_campaigns(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let c = campaign(&api, json!({"name": "Summer"})).await;
    let path = format!("/campaigns/{}", id(&c));
    let read = app.api(&app.key(p.workspace, "read").await);
    assert_eq!(read.post("/campaigns", json!({"name": "x"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.patch(&path, json!({"name": "x"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.post(&format!("{path}/status"), json!({"status": "active"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.delete(&path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.post(&format!("{path}/restore"), json!({})).await.0, StatusCode::FORBIDDEN);
    let (s, v) = read.get(&path).await;
    assert_eq!((s, v["name"].as_str(), v["status"].as_str()), (StatusCode::OK, Some("Summer"), Some("draft")));
}

async fn campaign_routes_answer_404_for_another_workspaces_campaigns(app: TestApp) {
    let (a, _) = app.api_in_new_workspace("Acme").await;
    let c = id(&campaign(&a, json!({"name": "Alpha's campaign"})).await);
    let (b, _) = app.api_in_new_workspace("Beta").await;
    assert_eq!(b.get(&format!("/campaigns/{c}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.patch(&format!("/campaigns/{c}"), json!({"name": "x"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.delete(&format!("/campaigns/{c}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.post(&format!("/campaigns/{c}/status"), json!({"status": "active"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.post(&format!("/campaigns/{c}/restore"), json!({})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/campaigns/{c}/collaborations")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/campaigns").await.1, json!([]));
    let (s, v) = a.get(&format!("/campaigns/{c}")).await;
    assert_eq!(
        (s, v["name"].as_str(), v["status"].as_str()),
        (StatusCode::OK, Some("Alpha's campaign"), Some("draft"))
    );
}

async fn the_openapi_document_describes_campaigns_and_collaborations(app: TestApp) {
    let v: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let p = &v["paths"];
    assert!(p["/campaigns"]["get"].is_object() && p["/campaigns"]["post"].is_object());
    for m in ["get", "patch", "delete"] {
        assert!(p["/campaigns/{id}"][m].is_object(), "{m}");
    }
    assert!(p["/campaigns/{id}/status"]["post"].is_object());
    assert!(p["/campaigns/{id}/collaborations"]["get"].is_object());
    assert!(p["/campaigns/{id}/collaborations"]["post"].is_object());
    assert!(p["/creators/{id}/collaborations"]["get"].is_object());
    assert!(p["/collaborations/{id}"]["get"].is_object() && p["/collaborations/{id}"]["patch"].is_object());
    assert!(p["/collaborations/{id}/stage"]["post"].is_object());
    assert!(
        p["/collaborations/{id}/offers"]["get"].is_object() && p["/collaborations/{id}/offers"]["post"].is_object()
    );
    for action in ["accept", "decline", "withdraw"] {
        assert!(p[format!("/offers/{{id}}/{action}")]["post"].is_object(), "{action}");
    }
    for schema in
        ["CampaignView", "CampaignInput", "CollaborationView", "CollaborationInput", "OfferView", "OfferInput"]
    {
        assert!(v["components"]["schemas"][schema].is_object(), "{schema}");
    }
}
