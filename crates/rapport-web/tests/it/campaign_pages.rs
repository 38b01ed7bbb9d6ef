//! Campaign pages: the list with its status filter, the create/edit form with inline errors
//! keeping what was typed, the status form, the board (adding a creator by name, moving a
//! card by its menu, the budget beside it), the creator page's "Add to campaign", CSRF,
//! viewers and tenant isolation.

use crate::campaigns::{campaign, id, user_id};
use crate::harness::{Api, Browser, TestApp, csrf_in};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::json;

crate::db_tests!(
    the_campaign_list_filters_by_status,
    the_form_creates_a_campaign_with_a_typed_budget_and_a_team,
    a_bad_campaign_form_is_shown_again_with_inline_errors_and_what_was_typed,
    the_edit_form_shows_the_campaign_and_saves_changes,
    the_status_form_moves_a_campaign_and_a_forbidden_move_is_explained,
    a_creator_is_added_on_the_campaign_page_by_name_and_the_board_shows_the_card,
    an_unknown_or_do_not_contact_creator_is_explained_next_to_the_field,
    a_card_moves_by_its_menu_and_a_forbidden_move_is_explained,
    the_campaign_page_shows_committed_and_remaining_budget,
    the_creator_page_adds_the_creator_to_a_campaign,
    the_campaign_forms_need_the_csrf_token,
    viewers_see_campaigns_but_cannot_change_them,
    campaign_pages_answer_404_for_another_workspace,
);

/// An owner's API client and browser, and a campaign (EUR, budget 10 000.00).
async fn setup(app: &TestApp) -> (Api, Browser, String) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let c = id(&campaign(&api, json!({"name": "Summer Glow", "currency": "EUR", "budget_minor": 1_000_000})).await);
    (api, app.signed_in(&p).await, c)
}

async fn the_campaign_list_filters_by_status(app: TestApp) {
    let (api, b, summer) = setup(&app).await;
    campaign(&api, json!({"name": "Winter Warmth"})).await;
    api.post(&format!("/campaigns/{summer}/status"), json!({"status": "active"})).await;
    let (s, page) = b.get("/campaigns").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Summer Glow") && page.contains("Winter Warmth") && page.contains("href=\"/campaigns\""));
    let (_, page) = b.get("/campaigns?status=active").await;
    assert!(page.contains("Summer Glow") && !page.contains("Winter Warmth"), "{page}");
    let (_, page) = b.get("/campaigns?status=archived").await;
    assert!(page.contains("No campaigns here yet") && !page.contains("Summer Glow"));
}

async fn the_form_creates_a_campaign_with_a_typed_budget_and_a_team(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let me = user_id(&app, &p).await;
    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/campaigns/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("name=\"budget\"") && page.contains(&format!("value=\"{me}\"")));
    let form = [
        ("name", "Summer Glow"),
        ("starts_on", "2030-06-01"),
        ("ends_on", "2030-08-31"),
        ("budget", "25 000.50"),
        ("currency", "EUR"),
        ("disclosure_profile", "uk"),
        ("required_hashtags", "#ad, #SummerGlow"),
        ("required_mentions", "@acme"),
        ("tags", "q3"),
        ("team", &me),
    ];
    let (s, location) = b.submit("/campaigns", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/campaigns/cp_"), "{location}");
    let (_, v) = api.get(&location).await;
    assert_eq!((v["budget_minor"].as_i64(), v["disclosure_profile"].as_str()), (Some(2_500_050), Some("uk")));
    assert_eq!(v["required_hashtags"], json!(["ad", "summerglow"]));
    assert_eq!(v["team"][0]["id"].as_str(), Some(me.as_str()));
    let (_, page) = b.get(&location).await;
    assert!(page.contains("Campaign created as a draft.") && page.contains("25000.50 EUR"), "{page}");
}

async fn a_bad_campaign_form_is_shown_again_with_inline_errors_and_what_was_typed(app: TestApp) {
    let (api, b, _) = setup(&app).await;
    let form = [
        ("name", ""),
        ("starts_on", "2030-06-02"),
        ("ends_on", "2030-06-01"),
        ("budget", "lots"),
        ("currency", "EUR"),
        ("required_hashtags", "#two words"),
    ];
    let (s, page) = b.submit("/campaigns", &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Please fix these"), "{page}");
    assert!(page.contains("href=\"#f-budget\"") && page.contains("Budget must be an amount such as 1250"), "{page}");
    assert!(page.contains("End date must be on or after the start date") || page.contains("Ends must be on or after"));
    assert!(page.contains("Name is required"), "{page}");
    assert!(page.contains("value=\"lots\"") && page.contains("value=\"#two words\""), "what was typed stays");
    assert_eq!(api.get("/campaigns").await.1.as_array().unwrap().len(), 1, "nothing was created");
}

async fn the_edit_form_shows_the_campaign_and_saves_changes(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let (s, page) = b.get(&format!("/campaigns/{c}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("value=\"Summer Glow\"") && page.contains("value=\"10000.00\""), "{page}");
    let form =
        [("name", "Summer Glow 2030"), ("budget", "12000"), ("currency", "EUR"), ("disclosure_profile", "eu_de")];
    let (s, location) = b.submit(&format!("/campaigns/{c}"), &form).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, format!("/campaigns/{c}").as_str()));
    let (_, v) = api.get(&format!("/campaigns/{c}")).await;
    assert_eq!((v["name"].as_str(), v["budget_minor"].as_i64()), (Some("Summer Glow 2030"), Some(1_200_000)));
    assert_eq!(v["disclosure_profile"], "eu_de");
}

async fn the_status_form_moves_a_campaign_and_a_forbidden_move_is_explained(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let (s, _) = b.submit(&format!("/campaigns/{c}/status"), &[("status", "active")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(api.get(&format!("/campaigns/{c}")).await.1["status"], "active");
    let (s, page) = b.submit(&format!("/campaigns/{c}/status"), &[("status", "archived")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("A campaign cannot go from active to archived; allowed: completed"), "{page}");
    assert_eq!(api.get(&format!("/campaigns/{c}")).await.1["status"], "active");
}

async fn a_creator_is_added_on_the_campaign_page_by_name_and_the_board_shows_the_card(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (s, location) = b.submit(&format!("/campaigns/{c}/collaborations"), &[("creator", "ana lima")]).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, format!("/campaigns/{c}#board").as_str()));
    let (_, page) = b.get(&format!("/campaigns/{c}")).await;
    assert!(page.contains("Ana Lima was added to the campaign as invited."));
    let invited = page.split("id=\"col-invited\"").nth(1).unwrap().split("id=\"col-negotiating\"").next().unwrap();
    assert!(invited.contains(&format!("href=\"/creators/{ana}\"")) && invited.contains("No fee agreed"), "{invited}");
    let ben = id(&api.creator(json!({"display_name": "Ben Okafor"})).await);
    let (s, _) = b.submit(&format!("/campaigns/{c}/collaborations"), &[("creator", &ben)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "an id works too");
    assert_eq!(api.get(&format!("/campaigns/{c}/collaborations")).await.1.as_array().unwrap().len(), 2);
}

async fn an_unknown_or_do_not_contact_creator_is_explained_next_to_the_field(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let (s, page) = b.submit(&format!("/campaigns/{c}/collaborations"), &[("creator", "Nobody Known")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Creator no creator is called “Nobody Known”") && page.contains("value=\"Nobody Known\""));
    api.creator(json!({"display_name": "Dana Doe", "do_not_contact": true})).await;
    let (s, page) = b.submit(&format!("/campaigns/{c}/collaborations"), &[("creator", "Dana Doe")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("Dana Doe is marked do not contact") && page.contains("value=\"Dana Doe\""), "{page}");
    assert_eq!(api.get(&format!("/campaigns/{c}/collaborations")).await.1, json!([]));
}

async fn a_card_moves_by_its_menu_and_a_forbidden_move_is_explained(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (_, v) = api.post(&format!("/campaigns/{c}/collaborations"), json!({"creator_id": ana})).await;
    let col = id(&v);
    let (_, page) = b.get(&format!("/campaigns/{c}")).await;
    assert!(page.contains(&format!("action=\"/collaborations/{col}/stage\"")));
    let csrf = csrf_in(&page);
    let (s, location) =
        b.post(&format!("/collaborations/{col}/stage"), &[("_csrf", &csrf), ("stage", "negotiating")]).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, format!("/campaigns/{c}#board").as_str()));
    assert_eq!(api.get(&format!("/collaborations/{col}")).await.1["stage"], "negotiating");
    let (_, page) = b.get(&format!("/campaigns/{c}")).await;
    let column = page.split("id=\"col-negotiating\"").nth(1).unwrap().split("id=\"col-agreed\"").next().unwrap();
    assert!(column.contains("Ana Lima") && page.contains("Ana Lima moved to Negotiating."));
    let (s, page) = b.post(&format!("/collaborations/{col}/stage"), &[("_csrf", &csrf), ("stage", "completed")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("allowed: agreed, declined, cancelled"), "{page}");
    assert_eq!(api.get(&format!("/collaborations/{col}")).await.1["stage"], "negotiating");
}

async fn the_campaign_page_shows_committed_and_remaining_budget(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (_, v) = api.post(&format!("/campaigns/{c}/collaborations"), json!({"creator_id": ana})).await;
    let (_, o) = api.post(&format!("/collaborations/{}/offers", id(&v)), json!({"amount_minor": 1_200_000})).await;
    api.post(&format!("/offers/{}/accept", id(&o)), json!({})).await;
    let (_, page) = b.get(&format!("/campaigns/{c}")).await;
    assert!(page.contains("10000.00 EUR") && page.contains("12000.00 EUR"), "{page}");
    assert!(page.contains("-2000.00 EUR") && page.contains("Over budget"), "{page}");
    let agreed = page.split("id=\"col-agreed\"").nth(1).unwrap().split("id=\"col-contracted\"").next().unwrap();
    assert!(agreed.contains("Ana Lima") && agreed.contains("We offer 12000.00 EUR · accepted"), "{agreed}");
}

async fn the_creator_page_adds_the_creator_to_a_campaign(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains(&format!("action=\"/creators/{ana}/campaigns\"")) && page.contains("Summer Glow"));
    let (s, location) = b.submit(&format!("/creators/{ana}/campaigns"), &[("campaign", &c)]).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, format!("/creators/{ana}#campaigns").as_str()));
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains("Added to “Summer Glow” as invited.") && page.contains(&format!("href=\"/campaigns/{c}\"")));
    assert!(page.contains("added them to a campaign"), "the timeline says so");
    let (s, location) = b.submit(&format!("/creators/{ana}/campaigns"), &[("campaign", &c)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get(&location).await;
    assert!(page.contains("Ana Lima is already on this campaign"), "{page}");
    assert_eq!(api.get(&format!("/creators/{ana}/collaborations")).await.1.as_array().unwrap().len(), 1);
}

async fn the_campaign_forms_need_the_csrf_token(app: TestApp) {
    let (api, b, c) = setup(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (_, v) = api.post(&format!("/campaigns/{c}/collaborations"), json!({"creator_id": ana})).await;
    let col = id(&v);
    assert_eq!(b.post("/campaigns", &[("name", "x")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        b.post(&format!("/campaigns/{c}"), &[("_csrf", "forged"), ("name", "x")]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(b.post(&format!("/campaigns/{c}/status"), &[("status", "active")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/campaigns/{c}/delete"), &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/campaigns/{c}/collaborations"), &[("creator", "x")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        b.post(&format!("/collaborations/{col}/stage"), &[("stage", "declined")]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(b.post(&format!("/creators/{ana}/campaigns"), &[("campaign", &c)]).await.0, StatusCode::FORBIDDEN);
    let (_, v) = api.get(&format!("/campaigns/{c}")).await;
    assert_eq!((v["name"].as_str(), v["status"].as_str()), (Some("Summer Glow"), Some("draft")));
    assert_eq!(api.get(&format!("/collaborations/{col}")).await.1["stage"], "invited");
}

async fn viewers_see_campaigns_but_cannot_change_them(app: TestApp) {
    let (api, _, c) = setup(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (_, v) = api.post(&format!("/campaigns/{c}/collaborations"), json!({"creator_id": ana})).await;
    let col = id(&v);
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let b = app.signed_in(&viewer).await;
    let (s, page) = b.get(&format!("/campaigns/{c}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Ana Lima") && !page.contains("/stage\"") && !page.contains("Add to campaign"));
    assert_eq!(b.get("/campaigns/new").await.0, StatusCode::FORBIDDEN);
    let csrf = csrf_in(&page);
    for (path, field, value) in [
        ("/campaigns".to_string(), "name", "x"),
        (format!("/campaigns/{c}"), "name", "x"),
        (format!("/campaigns/{c}/status"), "status", "active"),
        (format!("/campaigns/{c}/collaborations"), "creator", "Ana Lima"),
        (format!("/collaborations/{col}/stage"), "stage", "declined"),
        (format!("/creators/{ana}/campaigns"), "campaign", c.as_str()),
        (format!("/campaigns/{c}/delete"), "x", "x"),
    ] {
        assert_eq!(b.post(&path, &[("_csrf", &csrf), (field, value)]).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(api.get("/campaigns").await.1.as_array().unwrap().len(), 1);
    assert_eq!(api.get(&format!("/collaborations/{col}")).await.1["stage"], "invited");
}

async fn campaign_pages_answer_404_for_another_workspace(app: TestApp) {
    let (api, _, c) = setup(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (_, v) = api.post(&format!("/campaigns/{c}/collaborations"), json!({"creator_id": ana})).await;
    let col = id(&v);
    let stranger = app.workspace("Beta", Role::Owner).await;
    let theirs_api = app.api(&app.key(stranger.workspace, "write").await);
    let theirs = id(&campaign(&theirs_api, json!({"name": "Beta's"})).await);
    let b = app.signed_in(&stranger).await;
    assert_eq!(b.get(&format!("/campaigns/{c}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/campaigns/{c}/edit")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/campaigns/{c}"), &[("name", "x")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/campaigns/{c}/status"), &[("status", "active")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/campaigns/{c}/delete"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/campaigns/{c}/restore"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        b.submit(&format!("/campaigns/{c}/collaborations"), &[("creator", "Ana Lima")]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.submit(&format!("/collaborations/{col}/stage"), &[("stage", "declined")]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.submit(&format!("/creators/{ana}/campaigns"), &[("campaign", &theirs)]).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, _) = b.submit(&format!("/campaigns/{theirs}/collaborations"), &[("creator", &ana)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "another workspace's creator names nobody here");
    let (_, v) = api.get(&format!("/campaigns/{c}")).await;
    assert_eq!(
        (v["name"].as_str(), v["status"].as_str(), v["deleted_at"].is_null()),
        (Some("Summer Glow"), Some("draft"), true)
    );
    assert_eq!(api.get(&format!("/collaborations/{col}")).await.1["stage"], "invited");
}
