//! The creator cache behind the listings the search index answers: a listing keeps the
//! creators it shows for the next one, and still shows every creator as the database holds
//! it now — after a write of any kind, in this process or in another one.

use crate::harness::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

crate::db_tests!(
    a_listing_keeps_the_creators_it_shows_for_the_next,
    a_write_lets_its_creator_go_from_the_cache,
    a_listing_shows_every_kind_of_change_since_the_last_one,
    a_listing_shows_a_change_made_by_another_process,
    a_cached_creator_is_shown_under_the_settings_as_they_are_now,
);

/// Listings the index answers: filters sorted by followers (its follower-ordered pages)
/// and a text search.
const BY_FOLLOWERS: &str = "/creators?platform=instagram,tiktok&sort=-followers";
const BY_TEXT: &str = "/creators?q=cooks";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn uuid(v: &Value) -> Uuid {
    id(v).parse::<rapport_core::ids::CreatorId>().unwrap().0
}

async fn listed(api: &Api, path: &str) -> Vec<Value> {
    let (s, v) = api.get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v["items"].as_array().unwrap().clone()
}

/// Ana, who cooks on Instagram, and Bea, who cooks on TikTok.
async fn ana_and_bea(api: &Api) -> (Value, Value) {
    let ana = api
        .creator(json!({"display_name": "Ana Lima", "bio": "Ana cooks", "tags": ["vegan"],
            "contact_points": [{"kind": "email", "value": "ana@example.com"}],
            "social_accounts": [{"platform": "instagram", "handle": "@ana", "followers": 20000}]}))
        .await;
    let bea = api
        .creator(json!({"display_name": "Bea Costa", "bio": "Bea cooks too",
            "social_accounts": [{"platform": "tiktok", "handle": "@bea", "followers": 10000}]}))
        .await;
    (ana, bea)
}

fn cached(app: &TestApp, ws: Uuid, creator: Uuid) -> bool {
    let search = app.app.search.as_ref().unwrap();
    search.creators.get(ws, &[creator]).0[0].is_some()
}

/// Lists `path` until the cache holds `creators`: a listing stores nothing when the index
/// let a creator go while it read (the background task may be applying a change just then),
/// or answers from the database while the index is behind; the next listing stores them.
async fn list_until_cached(app: &TestApp, api: &Api, path: &str, ws: Uuid, creators: &[Uuid]) {
    let started = Instant::now();
    loop {
        assert_eq!(listed(api, path).await.len(), creators.len(), "{path}");
        if creators.iter().all(|c| cached(app, ws, *c)) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{path} never kept its creators");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_listing_keeps_the_creators_it_shows_for_the_next(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let (ana, bea) = ana_and_bea(&api).await;
    let ws = p.workspace.0;
    let both = [uuid(&ana), uuid(&bea)];
    list_until_cached(&app, &api, BY_FOLLOWERS, ws, &both).await;
    app.app.search.as_ref().unwrap().creators.clear();
    list_until_cached(&app, &api, BY_TEXT, ws, &both).await;
    assert!(!cached(&app, Uuid::now_v7(), uuid(&ana)), "never for another workspace");
    // Served from the cache, the page is the same.
    let again = listed(&api, BY_TEXT).await;
    assert_eq!(again.len(), 2);
    let ana = again.iter().find(|c| c["display_name"] == "Ana Lima").unwrap();
    assert_eq!(ana["contact_points"][0]["value"], "ana@example.com");
    assert_eq!(ana["social_accounts"][0]["followers"], 20000);
}

async fn a_write_lets_its_creator_go_from_the_cache(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let (ana, bea) = ana_and_bea(&api).await;
    let ws = p.workspace.0;
    list_until_cached(&app, &api, BY_FOLLOWERS, ws, &[uuid(&ana), uuid(&bea)]).await;
    let (s, v) = api.patch(&format!("/creators/{}", id(&ana)), json!({"pronouns": "she/her"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!cached(&app, ws, uuid(&ana)), "the creator written");
    assert!(cached(&app, ws, uuid(&bea)), "the others stay");
}

/// Lists both ways after each write and finds Ana as the write left her.
async fn both_show(api: &Api, what: &str, check: impl Fn(&Value) -> bool) {
    for path in [BY_FOLLOWERS, BY_TEXT] {
        let items = listed(api, path).await;
        let ana = items.iter().find(|c| c["display_name"].as_str().is_some_and(|n| n.starts_with("Ana")));
        assert!(ana.is_some_and(&check), "{what} not shown by {path}: {items:?}");
    }
}

async fn a_listing_shows_every_kind_of_change_since_the_last_one(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (ana, _) = ana_and_bea(&api).await;
    let a = id(&ana);
    both_show(&api, "the first listing", |c| c["pronouns"].is_null()).await;

    let (s, v) = api
        .patch(
            &format!("/creators/{a}"),
            json!({"display_name": "Ana Lima Souza", "pronouns": "she/her", "custom_fields": {"rate_eur": 450},
                "touch_every_days": 30, "tags": ["vegan", "baking"],
                "contact_points": [{"kind": "email", "value": "ana.lima@example.com"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    both_show(&api, "a patched profile", |c| {
        c["display_name"] == "Ana Lima Souza"
            && c["pronouns"] == "she/her"
            && c["custom_fields"]["rate_eur"] == 450
            && c["touch_every_days"] == 30
            && c["tags"] == json!(["baking", "vegan"])
            && c["primary_email"] == "ana.lima@example.com"
    })
    .await;

    let account = id(&ana["social_accounts"][0]);
    let (s, v) = api.patch(&format!("/creators/{a}/accounts/{account}"), json!({"followers": 30000})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    both_show(&api, "a patched account", |c| c["social_accounts"][0]["followers"] == 30000).await;

    let (s, v) = api
        .post(&format!("/creators/{a}/accounts"), json!({"platform": "tiktok", "handle": "@ana", "followers": 5000}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    both_show(&api, "an added account", |c| c["social_accounts"].as_array().is_some_and(|a| a.len() == 2)).await;

    let (s, v) = api.post(&format!("/creators/{a}/stage"), json!({"stage": "negotiating"})).await;
    assert!(s.is_success(), "{v}");
    both_show(&api, "a stage move", |c| c["stage"] == "negotiating").await;

    let (s, _) = api.delete(&format!("/creators/{a}")).await;
    assert!(s.is_success());
    for path in [BY_FOLLOWERS, BY_TEXT] {
        assert_eq!(listed(&api, path).await.len(), 1, "a deleted creator is gone from {path}");
    }
}

async fn a_listing_shows_a_change_made_by_another_process(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let (ana, _) = ana_and_bea(&api).await;
    both_show(&api, "the first listing", |c| c["display_name"] == "Ana Lima").await;
    let other = app.other_process().await;
    let ctx = rapport_app::Ctx::system(p.workspace, rapport_core::actor::Actor::System, "other process");
    let patch = json!({"display_name": "Ana Renamed"});
    rapport_app::creators::patch(&other, &ctx, rapport_core::ids::CreatorId(uuid(&ana)), patch).await.unwrap();
    // The listing either waits for the index or, until it has caught up, reads the database.
    let started = Instant::now();
    loop {
        let names: Vec<Value> = listed(&api, BY_FOLLOWERS).await.iter().map(|c| c["display_name"].clone()).collect();
        if names.contains(&json!("Ana Renamed")) {
            break;
        }
        assert_eq!(names, ["Ana Lima", "Bea Costa"], "the old name until the change is seen");
        assert!(started.elapsed() < Duration::from_secs(2), "the other process's rename was never listed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    both_show(&api, "the other process's rename", |c| c["display_name"] == "Ana Renamed").await;
}

/// A cached creator keeps the view last shown of it; one built under other settings is not
/// shown again.
async fn a_cached_creator_is_shown_under_the_settings_as_they_are_now(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let (ana, bea) = ana_and_bea(&api).await;
    let ws = p.workspace.0;
    list_until_cached(&app, &api, BY_FOLLOWERS, ws, &[uuid(&ana), uuid(&bea)]).await;
    let shown = |label: &'static str, tier: &'static str| {
        move |c: &Value| {
            c["stage_label"] == label
                && c["time_in_stage"] == format!("in {label} for less than a day")
                && c["tier"] == tier
        }
    };
    both_show(&api, "the first listing", shown("Discovered", "micro")).await;

    let (_, stages) = api.get("/pipeline/stages").await;
    let renamed: Vec<Value> = stages["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let label = if s["slug"] == "discovered" { json!("Found") } else { s["label"].clone() };
            json!({"slug": s["slug"], "label": label, "kind": s["kind"]})
        })
        .collect();
    let (s, v) = api.put("/pipeline/stages", json!({ "stages": renamed })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(cached(&app, ws, uuid(&ana)), "a stage's new label changes no creator");
    both_show(&api, "a renamed stage", shown("Found", "micro")).await;

    let (s, v) =
        api.put("/settings/tiers", json!({"micro": 25000, "mid": 100000, "macro": 500000, "mega": 1000000})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    both_show(&api, "new tier bounds", shown("Found", "nano")).await;
}
