//! Fit score, quality flags and workspace tiers, through the API and the settings page.

use crate::harness::TestApp;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::json;

crate::db_tests!(
    a_creator_read_explains_its_fit_score_against_the_brand_profile,
    quality_flags_name_the_account_and_the_reason,
    figures_typed_by_hand_say_so_not_the_source_they_replace,
    engagement_is_compared_with_the_workspaces_own_median_when_it_has_enough_accounts,
    the_median_follows_accounts_added_and_removed_since_the_page_was_last_shown,
    the_brand_profile_form_keeps_bad_input_and_names_the_problem,
    custom_tier_boundaries_change_tiers_and_tier_filters,
    fit_scores_in_the_index_are_recomputed_once_a_day,
);

async fn a_creator_read_explains_its_fit_score_against_the_brand_profile(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let b = app.signed_in(&owner).await;
    let (s, _) = b
        .submit(
            "/settings/brand",
            &[
                ("target_countries", "DE, at"),
                ("niches", "food"),
                ("values_keywords", "vegan"),
                ("tier_micro", "10000"),
                ("tier_mid", "100000"),
                ("tier_macro", "500000"),
                ("tier_mega", "1000000"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let c = api
        .creator(json!({"display_name": "Lena", "niches": ["food"], "bio": "Vegan sourdough every day",
            "social_accounts": [{"platform": "instagram", "handle": "@lena", "followers": 50000, "engagement_rate_pct": 3.0,
                "audience_quality_pct": 90, "audience": {"countries": {"DE": 70, "AT": 10}}}]}))
        .await;
    assert!(c.get("insights").is_none(), "lists and writes leave insights out");
    let (_, v) = api.get(&format!("/creators/{}", c["id"].as_str().unwrap())).await;
    let fit = &v["insights"]["fit"];
    let keys: Vec<&str> = fit["components"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(keys, vec!["audience", "niche_values", "engagement", "authenticity", "freshness"]);
    assert!(fit["score"].as_u64().unwrap() >= 90, "{fit}");
    assert!(fit["components"][0]["explanation"].as_str().unwrap().contains("80 % in target countries (DE, AT)"));
    assert!(fit["components"][2]["explanation"].as_str().unwrap().contains("typical Instagram micro-tier accounts"));
    let (_, page) = b.get(&format!("/creators/{}", c["id"].as_str().unwrap())).await;
    assert!(page.contains("Audience alignment") && page.contains("Shares food"));
}

async fn quality_flags_name_the_account_and_the_reason(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let c = api
        .creator(json!({"display_name": "Kai", "social_accounts": [{"platform": "tiktok", "handle": "@kai", "followers": 20000,
            "engagement_rate_pct": 0.4, "audience_quality_pct": 35, "observed_at": "2026-01-10T00:00:00Z"}]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let account = c["social_accounts"][0]["id"].as_str().unwrap();
    api.patch(
        &format!("/creators/{id}/accounts/{account}"),
        json!({"followers": 60000, "observed_at": "2026-01-20T00:00:00Z"}),
    )
    .await;
    let (_, v) = api.get(&format!("/creators/{id}")).await;
    let flags = &v["insights"]["quality_flags"][0];
    assert_eq!(flags["handle"], "kai");
    let kinds: Vec<&str> = flags["flags"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["engagement_low", "follower_jump", "low_audience_quality", "stale_data"]);
    let jump = flags["flags"][1]["message"].as_str().unwrap();
    assert!(jump.contains("20.0 k to 60.0 k (+200 %)"), "{jump}");
    let (_, page) = app.signed_in(&person).await.get(&format!("/creators/{id}")).await;
    assert!(
        page.contains("<span aria-hidden=\"true\">⚑</span> TikTok @kai</span>"),
        "the platform by its name: {page}"
    );
}

/// Five YouTube micro-tier creators with engagement 1.0 … 3.0 %, and an outlier at 9 %
/// whose id is returned.
async fn five_youtube_accounts_and_an_outlier(api: &crate::harness::Api) -> String {
    for (i, er) in [1.0, 1.5, 2.0, 2.5, 3.0].iter().enumerate() {
        api.creator(json!({"display_name": format!("C{i}"), "social_accounts": [{"platform": "youtube", "handle": format!("@c{i}"),
            "followers": 20000 + i as i64, "engagement_rate_pct": er}]}))
        .await;
    }
    let c = api
        .creator(json!({"display_name": "Outlier", "social_accounts": [{"platform": "youtube", "handle": "@out", "followers": 30000, "engagement_rate_pct": 9.0}]}))
        .await;
    c["id"].as_str().unwrap().to_owned()
}

async fn engagement_message(api: &crate::harness::Api, id: &str) -> String {
    let (_, v) = api.get(&format!("/creators/{id}")).await;
    v["insights"]["quality_flags"][0]["flags"][0]["message"].as_str().unwrap().to_owned()
}

async fn engagement_is_compared_with_the_workspaces_own_median_when_it_has_enough_accounts(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let id = five_youtube_accounts_and_an_outlier(&api).await;
    let msg = engagement_message(&api, &id).await;
    assert!(msg.contains("2.2 % median of this workspace's 6 YouTube micro-tier accounts"), "{msg}");
}

async fn the_median_follows_accounts_added_and_removed_since_the_page_was_last_shown(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let id = five_youtube_accounts_and_an_outlier(&api).await;
    engagement_message(&api, &id).await;
    let late = api
        .creator(json!({"display_name": "Late", "social_accounts": [{"platform": "youtube", "handle": "@late", "followers": 25000, "engagement_rate_pct": 8.0}]}))
        .await;
    let msg = engagement_message(&api, &id).await;
    assert!(msg.contains("2.5 % median of this workspace's 7 YouTube micro-tier accounts"), "{msg}");
    let (s, _) = api.delete(&format!("/creators/{}", late["id"].as_str().unwrap())).await;
    assert!(s.is_success());
    let msg = engagement_message(&api, &id).await;
    assert!(
        msg.contains("of this workspace's 6 YouTube micro-tier accounts"),
        "a deleted creator's account left: {msg}"
    );
}

async fn the_brand_profile_form_keeps_bad_input_and_names_the_problem(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&owner).await;
    let (s, page) = b
        .submit(
            "/settings/brand",
            &[
                ("target_countries", "DE, Narnia"),
                ("niches", "food"),
                ("tier_micro", "10000"),
                ("tier_mid", "5000"),
                ("tier_macro", "500000"),
                ("tier_mega", "1000000"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("“Narnia” is not a country"));
    assert!(page.contains("must be more than micro (10000)"), "the boundary is named at its field");
    assert!(page.contains("value=\"DE, Narnia\"") && page.contains("value=\"5000\""));
    let (s, page) = b
        .submit(
            "/settings/brand",
            &[("tier_micro", "10k"), ("tier_mid", "lots"), ("tier_macro", "500k"), ("tier_mega", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("“lots” is not a number"), "{page}");
    assert!(page.contains("is required: a follower count such as 10000 or 10k"));
    assert!(page.contains("value=\"lots\"") && page.contains("value=\"10k\""), "what was typed is kept");
    let (_, page) = b.get("/settings/brand").await;
    assert!(!page.contains("value=\"food\""), "nothing was saved");
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    assert_eq!(app.signed_in(&viewer).await.get("/settings/brand").await.0, StatusCode::FORBIDDEN);
}

async fn custom_tier_boundaries_change_tiers_and_tier_filters(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let c = api.creator(json!({"display_name": "Lena", "social_accounts": [{"platform": "x", "handle": "@lena", "followers": 7000}]})).await;
    assert_eq!(c["tier"], "nano");
    let b = app.signed_in(&owner).await;
    let (s, _) = b
        .submit(
            "/settings/brand",
            &[("tier_micro", "5k"), ("tier_mid", "50,000"), ("tier_macro", "250 000"), ("tier_mega", "2M")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = api.get(&format!("/creators/{}", c["id"].as_str().unwrap())).await;
    assert_eq!(v["tier"], "micro");
    assert_eq!(api.get("/creators?tier=micro").await.1["total"], 1);
    assert_eq!(api.get("/creators?tier=nano").await.1["total"], 0);
    let (_, v) = api.get("/creators?facets=true").await;
    assert_eq!(v["facets"]["tiers"], json!([{"value": "micro", "count": 1}]), "facets use the workspace's tiers");
    api.creator(json!({"display_name": "Mo", "social_accounts": [{"platform": "x", "handle": "@mo"}]})).await;
    let (_, v) = api.get("/creators?facets=tier").await;
    assert_eq!(
        v["facets"]["tiers"],
        json!([{"value": "micro", "count": 1}, {"value": "unknown", "count": 1}]),
        "and count those without follower data apart"
    );
}

/// A creator's index document (its fit score for sort by fit) is rewritten when the
/// creator changes; once a day every creator of each workspace is put on the change log so
/// data freshness and moved medians reach the index too — one claim per workspace a day,
/// whichever server looks first.
async fn fit_scores_in_the_index_are_recomputed_once_a_day(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for name in ["Ana", "Bo"] {
        api.creator(json!({"display_name": name})).await;
    }
    let (other, _) = app.api_in_new_workspace("Other").await;
    other.creator(json!({"display_name": "Cy"})).await;
    let refresh = |at| rapport_app::search::refresh_fit_scores(&app.app, at);
    let hours = time::Duration::hours;
    let t = rapport_core::actor::now();
    assert_eq!(refresh(t).await.unwrap(), 0, "the first look starts each workspace's clock");
    assert_eq!(refresh(t + hours(23)).await.unwrap(), 0, "not yet a day");
    let before = rapport_store::changes::latest(&mut app.app.db.read().await.unwrap().conn()).await.unwrap();
    assert_eq!(refresh(t + hours(25)).await.unwrap(), 2, "both workspaces are a day old");
    let changes =
        rapport_store::changes::since(&mut app.app.db.read().await.unwrap().conn(), before, 100).await.unwrap();
    assert_eq!(changes.len(), 3, "every creator of both, once: {changes:?}");
    assert_eq!(refresh(t + hours(26)).await.unwrap(), 0, "claimed: once a day");
    assert_eq!(refresh(t + hours(50)).await.unwrap(), 2, "and the next day again");
}

/// Figures changed without a source were typed by hand: the account's source becomes "manual"
/// (it said the data provider's name, as if the provider had observed them now); a patch that
/// names its source keeps it.
async fn figures_typed_by_hand_say_so_not_the_source_they_replace(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = api
        .creator(json!({"display_name": "Kai", "social_accounts": [{"platform": "tiktok", "handle": "@kai",
            "followers": 20000, "source": "modash", "observed_at": "2026-10-20T00:00:00Z"}]}))
        .await;
    let (id, account) = (c["id"].as_str().unwrap(), c["social_accounts"][0]["id"].as_str().unwrap());
    let url = format!("/creators/{id}/accounts/{account}");
    let (s, a) = api.patch(&url, json!({"followers": 41000})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["source"], "manual", "{a}");
    assert_ne!(a["observed_at"], "2026-10-20T00:00:00Z", "observed now: {a}");
    let (_, a) = api.patch(&url, json!({"followers": 42000, "source": "upfluence"})).await;
    assert_eq!(a["source"], "upfluence", "{a}");
    let (_, a) = api.patch(&url, json!({"handle": "@kai2"})).await;
    assert_eq!(a["source"], "upfluence", "no figure changed, no new source: {a}");
}
