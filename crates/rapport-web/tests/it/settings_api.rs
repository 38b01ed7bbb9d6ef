//! The brand profile and the tier boundaries through the API: read, replaced, checked field
//! by field, felt by the fit score and the tier filter, per workspace, and only for those
//! who may change them.

use crate::harness::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    the_brand_profile_is_read_and_replaced_and_the_fit_score_follows_it,
    a_bad_brand_profile_is_refused_naming_the_list_and_the_entry,
    the_tier_boundaries_are_read_and_set_and_the_tier_filter_follows_them,
    tier_boundaries_out_of_order_are_refused_naming_the_boundary,
    settings_are_per_workspace_and_a_read_key_cannot_change_them,
);

fn fields(v: &Value) -> Vec<String> {
    v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()
}

async fn fit_score(api: &Api, id: &str) -> u64 {
    let (s, v) = api.get(&format!("/creators/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["insights"]["fit"]["score"].as_u64().unwrap()
}

async fn the_brand_profile_is_read_and_replaced_and_the_fit_score_follows_it(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, empty) = api.get("/settings/brand-profile").await;
    assert_eq!(s, StatusCode::OK, "{empty}");
    assert_eq!(empty["target_countries"], json!([]));
    let c = api
        .creator(json!({"display_name": "Lena", "niches": ["food"], "bio": "Vegan sourdough every day",
            "social_accounts": [{"platform": "instagram", "handle": "@lena", "followers": 50000, "engagement_rate_pct": 3.0,
                "audience_quality_pct": 90, "audience": {"countries": {"DE": 70, "AT": 10}}}]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let before = fit_score(&api, id).await;

    let profile =
        json!({"target_countries": ["Germany", "at", "DE"], "niches": ["food"], "values_keywords": ["vegan"]});
    let (s, saved) = api.put("/settings/brand-profile", profile).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["target_countries"], json!(["DE", "AT"]), "names and codes become codes, once each");
    assert_eq!(saved["excluded_topics"], json!([]), "a list left out is empty");
    assert_eq!(api.get("/settings/brand-profile").await.1, saved);
    let after = fit_score(&api, id).await;
    assert!(after >= 90 && after > before, "the score follows the profile: {before} → {after}");

    let (s, cleared) = api.put("/settings/brand-profile", json!({})).await;
    assert_eq!((s, cleared["niches"].clone()), (StatusCode::OK, json!([])));
    assert_eq!(fit_score(&api, id).await, before, "the empty profile scores as before");
}

async fn a_bad_brand_profile_is_refused_naming_the_list_and_the_entry(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.put("/settings/brand-profile", json!({"niches": ["food"]})).await;
    let (s, v) = api
        .put("/settings/brand-profile", json!({"target_countries": ["Atlantis"], "target_age_bands": ["12-99"]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["target_countries", "target_age_bands"]);
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("“Atlantis” is not a country"), "{v}");
    let (s, v) = api.put("/settings/brand-profile", json!({"audience": ["DE"]})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["audience".to_string()]), "an unknown field");
    let (s, v) = api.put("/settings/brand-profile", json!({"niches": "food"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["niches".to_string()]), "not a list");
    assert_eq!(api.get("/settings/brand-profile").await.1["niches"], json!(["food"]), "nothing refused was kept");
}

async fn the_tier_boundaries_are_read_and_set_and_the_tier_filter_follows_them(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, tiers) = api.get("/settings/tiers").await;
    assert_eq!(s, StatusCode::OK, "{tiers}");
    assert_eq!(tiers, json!({"micro": 10000, "mid": 100000, "macro": 500000, "mega": 1000000}));
    api.creator(json!({"display_name": "Small", "social_accounts": [{"platform": "tiktok", "handle": "@small", "followers": 6000}]}))
        .await;
    let tier_names = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(tier_names(&api.get("/creators?tier=nano").await.1), ["Small"]);

    let lower = json!({"micro": 5000, "mid": 50000, "macro": 250000, "mega": 2000000});
    let (s, saved) = api.put("/settings/tiers", lower.clone()).await;
    assert_eq!((s, &saved), (StatusCode::OK, &lower), "{saved}");
    assert_eq!(api.get("/settings/tiers").await.1, lower);
    assert!(tier_names(&api.get("/creators?tier=nano").await.1).is_empty());
    assert_eq!(tier_names(&api.get("/creators?tier=micro").await.1), ["Small"], "6 000 is micro from 5 000 on");
    let (_, one) = api.get("/creators?q=Small").await;
    assert_eq!(one["items"][0]["tier"], "micro");
}

async fn tier_boundaries_out_of_order_are_refused_naming_the_boundary(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.put("/settings/tiers", json!({"micro": 10000, "mid": 8000, "macro": 500000, "mega": 0})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["mid", "mega"]);
    assert_eq!(v["fields"][0]["message"], "must be more than micro (10000)");
    let (s, v) = api.put("/settings/tiers", json!({"micro": 10000, "mid": 100000, "macro": 500000})).await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["mega".to_string()]),
        "a missing boundary: {v}"
    );
    let (s, v) =
        api.put("/settings/tiers", json!({"micro": "10k", "mid": 100000, "macro": 500000, "mega": 1000000})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["micro".to_string()]), "not a number: {v}");
    assert_eq!(api.get("/settings/tiers").await.1["mid"], 100000, "nothing refused was kept");
}

async fn settings_are_per_workspace_and_a_read_key_cannot_change_them(app: TestApp) {
    let (a, alpha) = app.api_in_new_workspace("Alpha").await;
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let (s, _) = a.put("/settings/brand-profile", json!({"niches": ["travel"]})).await;
    assert_eq!(s, StatusCode::OK);
    a.put("/settings/tiers", json!({"micro": 2000, "mid": 20000, "macro": 200000, "mega": 2000000})).await;
    assert_eq!(b.get("/settings/brand-profile").await.1["niches"], json!([]), "Beta's profile is its own");
    assert_eq!(b.get("/settings/tiers").await.1["micro"], 10000);
    b.put("/settings/brand-profile", json!({"niches": ["gaming"]})).await;
    assert_eq!(a.get("/settings/brand-profile").await.1["niches"], json!(["travel"]));

    let reader = app.api(&app.key(alpha.workspace, "read").await);
    assert_eq!(reader.get("/settings/brand-profile").await.1["niches"], json!(["travel"]), "a read key reads");
    let (s, v) = reader.put("/settings/brand-profile", json!({"niches": ["crypto"]})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{v}");
    assert_eq!(
        reader.put("/settings/tiers", json!({"micro": 1, "mid": 2, "macro": 3, "mega": 4})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(a.get("/settings/brand-profile").await.1["niches"], json!(["travel"]));
    assert_eq!(a.get("/settings/tiers").await.1["micro"], 2000);
}
