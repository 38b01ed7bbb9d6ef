//! The disclosure check through the API: explicit requirements or a campaign's, each
//! finding with its rule, verdict and reason, the advice note; bad fields, another
//! workspace's campaign, read keys and missing credentials.

use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_caption_is_checked_with_a_finding_per_rule_and_the_advice_note,
    a_buried_disclosure_fails_with_its_position,
    a_campaign_supplies_the_profile_and_the_required_hashtags_and_mentions,
    an_explicit_profile_overrides_the_campaigns_and_extra_requirements_are_added,
    gifted_content_is_checked_when_paid_is_false,
    bad_fields_are_refused_naming_each_one,
    another_workspaces_or_a_deleted_campaign_is_not_found,
    a_read_key_may_check_a_caption,
    checking_needs_a_credential,
    the_openapi_document_describes_the_disclosure_check,
);

const PATH: &str = "/disclosure/check";

fn fields(v: &Value) -> Vec<&str> {
    v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect()
}

/// The (rule, verdict) pairs of a check, in order.
fn verdicts(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["verdict"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

async fn campaign(api: &crate::harness::Api, body: Value) -> String {
    let (s, v) = api.post("/campaigns", body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn a_caption_is_checked_with_a_finding_per_rule_and_the_advice_note(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api
        .post(
            PATH,
            json!({"caption": "#ad Summer glow ☀️ #collab with @glowco", "profile": "us",
            "required_hashtags": ["#SummerGlow"], "required_mentions": ["@GlowCo"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["overall"], "fail");
    assert_eq!(
        verdicts(&v),
        pairs(&[
            ("disclosure_present", "pass"),
            ("disclosure_visible", "pass"),
            ("ambiguous_token", "pass"),
            ("required_hashtag", "fail"),
            ("required_mention", "pass"),
        ])
    );
    assert!(v["findings"][3]["reason"].as_str().unwrap().contains("#summerglow"), "{v}");
    assert!(v["findings"][2]["reason"].as_str().unwrap().contains("#collab"), "{v}");
    assert_eq!(v["advice"], rapport_core::disclosure::ADVICE_NOTE);
    assert!(v["advice"].as_str().unwrap().contains("not legal advice"));
}

async fn a_buried_disclosure_fails_with_its_position(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let caption = "Golden hour 🌅\n.\n#sunset #beach #summer #travel #ootd #style #fashion #instagood #photo #love #ad";
    let (s, v) = api.post(PATH, json!({"caption": caption})).await;
    assert_eq!((s, v["overall"].as_str()), (StatusCode::OK, Some("fail")), "{v}");
    let visible = &v["findings"][1];
    assert_eq!((visible["rule"].as_str(), visible["verdict"].as_str()), (Some("disclosure_visible"), Some("fail")));
    let reason = visible["reason"].as_str().unwrap();
    assert!(reason.contains("character 94") && reason.contains("block of 11 hashtags"), "{reason}");
}

async fn a_campaign_supplies_the_profile_and_the_required_hashtags_and_mentions(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let cp = campaign(
        &api,
        json!({"name": "Herbst", "disclosure_profile": "eu_de", "required_hashtags": ["#GlowHerbst"],
            "required_mentions": ["@glowco"]}),
    )
    .await;
    let (s, v) = api.post(PATH, json!({"caption": "#ad Herbst-Edit mit @glowco 🍂", "campaign_id": cp})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        verdicts(&v),
        pairs(&[
            ("disclosure_present", "needs_review"),
            ("disclosure_visible", "pass"),
            ("ambiguous_token", "needs_review"),
            ("required_hashtag", "fail"),
            ("required_mention", "pass"),
        ])
    );
    let (_, v) =
        api.post(PATH, json!({"caption": "Anzeige | Herbst-Edit mit @glowco #glowherbst", "campaign_id": cp})).await;
    assert_eq!(v["overall"], "pass", "{v}");
}

async fn an_explicit_profile_overrides_the_campaigns_and_extra_requirements_are_added(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let cp =
        campaign(&api, json!({"name": "Herbst", "disclosure_profile": "eu_de", "required_hashtags": ["glow"]})).await;
    let body = json!({"caption": "#ad new drop #glow", "campaign_id": cp, "profile": "uk",
        "required_hashtags": ["#drop", "glow"]});
    let (s, v) = api.post(PATH, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        verdicts(&v),
        pairs(&[
            ("disclosure_present", "pass"),
            ("disclosure_visible", "pass"),
            ("required_hashtag", "pass"),
            ("required_hashtag", "fail"),
        ])
    );
    assert!(v["findings"][3]["reason"].as_str().unwrap().contains("#drop"), "{v}");
}

async fn gifted_content_is_checked_when_paid_is_false(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let caption = "Unbezahlte Werbung 📦 Das Paket von @glowco ist da";
    let (_, gift) = api.post(PATH, json!({"caption": caption, "profile": "eu_de", "paid": false})).await;
    let (_, paid) = api.post(PATH, json!({"caption": caption, "profile": "eu_de"})).await;
    assert_eq!((gift["overall"].as_str(), paid["overall"].as_str()), (Some("pass"), Some("fail")), "{gift} {paid}");
}

async fn bad_fields_are_refused_naming_each_one(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api
        .post(
            PATH,
            json!({"caption": "  ", "profile": "fr", "campaign_id": "nope",
            "required_hashtags": ["#two words"], "required_mentions": ["@no spaces"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["caption", "profile", "campaign_id", "required_hashtags", "required_mentions"]);
    let (s, v) = api.post(PATH, json!({"profile": "us"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["caption"]));
    let (s, v) = api.post(PATH, json!({"caption": "#ad", "paid": "yes"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["paid"]));
    let (s, v) = api.post(PATH, json!({"caption": "#ad", "jurisdiction": "us"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["jurisdiction"]));
}

async fn another_workspaces_or_a_deleted_campaign_is_not_found(app: TestApp) {
    let (acme, _) = app.api_in_new_workspace("Acme").await;
    let (globex, _) = app.api_in_new_workspace("Globex").await;
    let theirs = campaign(&globex, json!({"name": "Secret", "required_hashtags": ["secret"]})).await;
    let (s, v) = acme.post(PATH, json!({"caption": "#ad", "campaign_id": theirs})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{v}");
    assert!(!v.to_string().contains("secret"));
    let gone = campaign(&acme, json!({"name": "Gone"})).await;
    assert_eq!(acme.delete(&format!("/campaigns/{gone}")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(acme.post(PATH, json!({"caption": "#ad", "campaign_id": gone})).await.0, StatusCode::NOT_FOUND);
    let (s, v) = globex.post(PATH, json!({"caption": "#ad", "campaign_id": theirs})).await;
    assert_eq!((s, v["overall"].as_str()), (StatusCode::OK, Some("fail")), "{v}");
}

async fn a_read_key_may_check_a_caption(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let cp = campaign(&api, json!({"name": "Summer", "required_mentions": ["glowco"]})).await;
    let read = app.api(&app.key(p.workspace, "read").await);
    let (s, v) = read.post(PATH, json!({"caption": "#ad with @glowco", "campaign_id": cp})).await;
    assert_eq!((s, v["overall"].as_str()), (StatusCode::OK, Some("pass")), "{v}");
}

async fn checking_needs_a_credential(app: TestApp) {
    let r = reqwest::Client::new().post(app.url("/api/v1/disclosure/check")).json(&json!({"caption": "#ad"}));
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.api("rap_nothing_here").post(PATH, json!({"caption": "#ad"})).await.0, StatusCode::UNAUTHORIZED);
}

async fn the_openapi_document_describes_the_disclosure_check(app: TestApp) {
    let v: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(v["paths"]["/disclosure/check"]["post"]["tags"][0], "disclosure");
    assert!(v["components"]["schemas"]["CheckView"].is_object());
    assert!(v["components"]["schemas"]["Finding"].is_object() && v["components"]["schemas"]["Verdict"].is_object());
    assert!(v["tags"].as_array().unwrap().iter().any(|t| t["name"] == "disclosure"));
}
