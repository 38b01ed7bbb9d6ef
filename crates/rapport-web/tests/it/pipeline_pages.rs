//! The pipeline in the browser, without JavaScript: the board and its filters, moving a
//! card with its menu form (confirming do-not-contact), the record page's stage history,
//! the report page and the stage settings page; viewers, CSRF and tenant isolation.

use crate::harness::{Api, Browser, TestApp, csrf_in};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    the_board_has_a_column_per_stage_then_do_not_contact_with_counts_and_cards,
    the_board_is_filtered_like_the_list_and_links_to_it,
    a_full_column_shows_its_first_cards_and_links_to_the_rest,
    a_card_moves_with_its_menu_form,
    moving_a_card_into_do_not_contact_is_confirmed_first,
    viewers_see_the_board_but_cannot_move_cards,
    the_move_form_needs_the_csrf_token,
    pipeline_pages_answer_404_for_another_workspaces_creators,
    the_record_page_shows_time_in_stage_and_moves_with_a_reason,
    the_report_page_shows_the_funnel_and_keeps_a_bad_period,
    the_stage_settings_page_saves_the_list_and_explains_what_it_refuses,
    only_owners_and_admins_open_the_stage_settings,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The HTML of one board column.
fn column<'a>(page: &'a str, slug: &str) -> &'a str {
    let start = page.find(&format!("data-stage=\"{slug}\"")).unwrap_or_else(|| panic!("no column {slug}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// An owner's API client and signed-in browser in a new workspace.
async fn owner(app: &TestApp) -> (Api, Browser) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    (api, app.signed_in(&p).await)
}

async fn stage_of(api: &Api, creator: &str) -> (String, bool) {
    let (_, c) = api.get(&format!("/creators/{creator}")).await;
    (c["stage"].as_str().unwrap().to_owned(), c["do_not_contact"].as_bool().unwrap())
}

async fn the_board_has_a_column_per_stage_then_do_not_contact_with_counts_and_cards(app: TestApp) {
    let (api, b) = owner(&app).await;
    let (_, members) = api.get("/creators").await;
    assert_eq!(members["total"], 0);
    api.creator(json!({"display_name": "Ana Lima", "stage": "negotiating",
        "social_accounts": [{"platform": "instagram", "handle": "@ana", "followers": 12500},
                            {"platform": "tiktok", "handle": "@ana", "followers": 900}]}))
        .await;
    api.creator(json!({"display_name": "Ben Ode", "stage": "negotiating"})).await;
    api.creator(json!({"display_name": "Cleo Park", "stage": "paused"})).await;
    api.creator(json!({"display_name": "Dora Vex", "stage": "contacted", "do_not_contact": true})).await;
    let (s, page) = b.get("/pipeline").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("href=\"/pipeline\" aria-current=\"page\""), "the sidebar marks the pipeline");
    let order: Vec<usize> = ["discovered", "negotiating", "advocate", "paused", "declined", "do_not_contact"]
        .iter()
        .map(|s| page.find(&format!("data-stage=\"{s}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "main stages, then side stages, then do-not-contact");
    let negotiating = column(&page, "negotiating");
    assert!(negotiating.contains("aria-label=\"2 creators\""));
    assert!(negotiating.contains("Ana Lima") && negotiating.contains("Ben Ode"));
    assert!(negotiating.contains("Instagram 12.5 k"), "the largest account and its following");
    assert!(negotiating.contains("less than a day"), "time in stage");
    assert!(column(&page, "paused").contains("Cleo Park"));
    assert!(column(&page, "do_not_contact").contains("Dora Vex"));
    assert!(!column(&page, "contacted").contains("Dora Vex"), "a do-not-contact creator is only in that column");
}

async fn the_board_is_filtered_like_the_list_and_links_to_it(app: TestApp) {
    let (api, b) = owner(&app).await;
    api.creator(json!({"display_name": "Ana Lima", "tags": ["vip"]})).await;
    api.creator(json!({"display_name": "Ben Ode"})).await;
    let (_, page) = b.get("/pipeline?tag=vip").await;
    assert!(page.contains("Ana Lima") && !page.contains("Ben Ode"));
    assert!(page.contains("href=\"/creators?tag=vip\""), "the list view keeps the filters");
    assert!(page.contains("Tag: vip"), "the filter shows as a chip");
    let (s, page) = b.get("/pipeline?tier=giant").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("tier: must be one of nano"), "the bad filter is named");
    assert!(page.contains("Ana Lima") && page.contains("Ben Ode"), "and the board is shown unfiltered");
}

async fn a_full_column_shows_its_first_cards_and_links_to_the_rest(app: TestApp) {
    let (api, b) = owner(&app).await;
    for i in 0..22 {
        api.creator(json!({"display_name": format!("Creator {i:02}"), "stage": "qualified"})).await;
    }
    let (_, page) = b.get("/pipeline").await;
    let qualified = column(&page, "qualified");
    assert_eq!(qualified.matches("data-card=").count(), 20);
    assert!(qualified.contains("aria-label=\"22 creators\""));
    assert!(qualified.contains("<a href=\"/creators?stage=qualified\">2 more</a>"), "{qualified}");
}

async fn a_card_moves_with_its_menu_form(app: TestApp) {
    let (api, b) = owner(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima", "tags": ["vip"]})).await);
    let (_, page) = b.get("/pipeline?tag=vip").await;
    let card = column(&page, "discovered");
    assert!(card.contains("action=\"/pipeline/move\"") && card.contains(&format!("name=\"id\" value=\"{ana}\"")));
    assert!(card.contains("<option value=\"contacted\">Contacted</option>"));
    let csrf = csrf_in(&page);
    let form = [("_csrf", csrf.as_str()), ("id", &ana), ("stage", "contacted"), ("back", "/pipeline?tag=vip")];
    let (s, location) = b.post("/pipeline/move", &form).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, "/pipeline?tag=vip"));
    let (_, page) = b.get(&location).await;
    assert!(page.contains("Ana Lima is in Contacted."), "a flash confirms the move");
    assert!(column(&page, "contacted").contains("Ana Lima"));
    assert_eq!(stage_of(&api, &ana).await, ("contacted".into(), false));
    let (_, h) = api.get(&format!("/creators/{ana}/stage-history")).await;
    assert!(h["items"][0]["actor"].as_str().unwrap().starts_with("user:"));
    assert_eq!(h["items"][0]["actor_label"], "Test Person");
}

async fn moving_a_card_into_do_not_contact_is_confirmed_first(app: TestApp) {
    let (api, b) = owner(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima", "stage": "contacted"})).await);
    let (s, page) =
        b.submit("/pipeline/move", &[("id", &ana), ("stage", "do_not_contact"), ("back", "/pipeline")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Mark Ana Lima as do not contact?") && page.contains("name=\"confirmed\" value=\"yes\""));
    assert_eq!(stage_of(&api, &ana).await, ("contacted".into(), false), "nothing changes before the confirmation");
    let confirmed = [("id", ana.as_str()), ("stage", "do_not_contact"), ("back", "/pipeline"), ("confirmed", "yes")];
    let (s, _) = b.submit("/pipeline/move", &confirmed).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&api, &ana).await, ("contacted".into(), true));
    let (_, page) = b.get("/pipeline").await;
    assert!(column(&page, "do_not_contact").contains("Ana Lima"));
    let (s, _) = b.submit("/pipeline/move", &[("id", &ana), ("stage", "qualified"), ("back", "/pipeline")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&api, &ana).await, ("qualified".into(), false), "moving out clears the flag");
}

async fn viewers_see_the_board_but_cannot_move_cards(app: TestApp) {
    let (api, _) = owner(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let b = app.signed_in(&viewer).await;
    let (s, page) = b.get("/pipeline").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Ana Lima") && !page.contains("/pipeline/move"), "no move menus for viewers");
    assert_eq!(b.get("/pipeline/report").await.0, StatusCode::OK);
    let (s, _) = b.submit("/pipeline/move", &[("id", &ana), ("stage", "qualified")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = b.submit("/pipeline/move", &[("id", &ana), ("stage", "do_not_contact")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not even the confirmation page");
    let (_, record) = b.get(&format!("/creators/{ana}")).await;
    assert!(record.contains("Stage") && !record.contains("/pipeline/move"));
    assert_eq!(stage_of(&api, &ana).await, ("discovered".into(), false));
}

async fn the_move_form_needs_the_csrf_token(app: TestApp) {
    let (api, b) = owner(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (s, _) = b.post("/pipeline/move", &[("id", &ana), ("stage", "qualified")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = b.post("/pipeline/move", &[("_csrf", "forged"), ("id", &ana), ("stage", "qualified")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = b.post("/settings/pipeline", &[("_csrf", "forged"), ("label.0", "Found")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(stage_of(&api, &ana).await, ("discovered".into(), false));
}

async fn pipeline_pages_answer_404_for_another_workspaces_creators(app: TestApp) {
    let (alpha, _) = owner(&app).await;
    let theirs = id(&alpha.creator(json!({"display_name": "Alpha Creator", "stage": "contacted"})).await);
    let beta = app.workspace("Beta", Role::Owner).await;
    let b = app.signed_in(&beta).await;
    for stage in ["qualified", "do_not_contact"] {
        let (s, _) = b.submit("/pipeline/move", &[("id", &theirs), ("stage", stage)]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{stage}");
    }
    let (_, board) = b.get("/pipeline").await;
    assert!(!board.contains("Alpha Creator"));
    let (_, report) = b.get("/pipeline/report").await;
    assert!(!report.contains("Alpha Creator"));
    assert_eq!(stage_of(&alpha, &theirs).await, ("contacted".into(), false));
}

async fn the_record_page_shows_time_in_stage_and_moves_with_a_reason(app: TestApp) {
    let (api, b) = owner(&app).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains("for less than a day") && page.contains("(start)"));
    let back = format!("/creators/{ana}#stage");
    let long = "x".repeat(501);
    let (s, page) =
        b.submit("/pipeline/move", &[("id", &ana), ("stage", "qualified"), ("reason", &long), ("back", &back)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("must be at most 500 characters") && page.contains(&format!("value=\"{long}\"")));
    assert!(page.contains("<option value=\"qualified\" selected>"), "the chosen stage stays chosen");
    let (s, location) = b
        .submit("/pipeline/move", &[("id", &ana), ("stage", "qualified"), ("reason", "Great fit"), ("back", &back)])
        .await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, back.as_str()));
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains("“Great fit”") && page.contains("from Discovered"), "the history shows the move and why");
}

async fn the_report_page_shows_the_funnel_and_keeps_a_bad_period(app: TestApp) {
    let (api, b) = owner(&app).await;
    api.creator(json!({"display_name": "Ana Lima"})).await;
    let (s, page) = b.get("/pipeline/report").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<th scope=\"row\">Discovered <span class=\"muted small\">→ Qualified</span></th>"));
    assert!(page.contains("<td class=\"num\">1</td>"), "Ana entered Discovered");
    assert!(page.contains("<td class=\"num\">0.0 %</td>"), "and has not moved on");
    let (s, page) = b.get("/pipeline/report?from=2026-13-01").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("must be a date such as") && page.contains("value=\"2026-13-01\""));
}

/// The settings form as the page shows it (one row per stage, keyed by position), with
/// `changes` applied.
async fn settings_form(api: &Api, page: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = vec![("_csrf".to_string(), csrf_in(page))];
    let (_, stages) = api.get("/pipeline/stages").await;
    for (i, s) in stages["stages"].as_array().unwrap().iter().enumerate() {
        for field in ["slug", "label", "kind"] {
            form.push((format!("{field}.{i}"), s[field].as_str().unwrap().to_string()));
        }
        form.push((format!("order.{i}"), (i + 1).to_string()));
    }
    for (k, v) in changes {
        form.retain(|(name, _)| name != k);
        form.push((k.to_string(), v.to_string()));
    }
    form
}

/// The position of a stage in the list (its row on the settings page).
async fn row_of(api: &Api, slug: &str) -> usize {
    let (_, stages) = api.get("/pipeline/stages").await;
    stages["stages"].as_array().unwrap().iter().position(|s| s["slug"] == slug).unwrap()
}

async fn post_settings(b: &Browser, form: &[(String, String)]) -> (StatusCode, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/settings/pipeline", &pairs).await
}

async fn the_stage_settings_page_saves_the_list_and_explains_what_it_refuses(app: TestApp) {
    let (api, b) = owner(&app).await;
    api.creator(json!({"display_name": "Ana Lima", "stage": "paused"})).await;
    let (s, page) = b.get("/settings/pipeline").await;
    assert_eq!(s, StatusCode::OK);
    let renamed =
        settings_form(&api, &page, &[("label.0", "Found"), ("label.new", "Vetting"), ("order.new", "2")]).await;
    let (s, location) = post_settings(&b, &renamed).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, "/settings/pipeline"));
    let (_, stages) = api.get("/pipeline/stages").await;
    assert_eq!(stages["stages"][0]["label"], "Found");
    assert_eq!(stages["stages"][1]["slug"], "vetting", "a new stage at the position asked for");

    let (_, page) = b.get("/settings/pipeline").await;
    let clash = settings_form(&api, &page, &[("label.1", "found"), ("order.2", "soon")]).await;
    let (s, page) = post_settings(&b, &clash).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("order must be a whole number") && page.contains("value=\"soon\""), "what was typed stays");
    let (_, page) = b.get("/settings/pipeline").await;
    let clash = settings_form(&api, &page, &[("label.1", "found")]).await;
    let (s, page) = post_settings(&b, &clash).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("“found” is the name of another stage") && page.contains("value=\"found\""));

    let (_, page) = b.get("/settings/pipeline").await;
    let remove_paused = format!("remove.{}", row_of(&api, "paused").await);
    let remove = settings_form(&api, &page, &[(&remove_paused, "on")]).await;
    let (s, page) = post_settings(&b, &remove).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Paused (paused) still has 1 creator") && page.contains("still has 1 creator</p>"));
    assert_eq!(api.get("/pipeline/stages").await.1["stages"].as_array().unwrap().len(), 10, "nothing was removed");
}

async fn only_owners_and_admins_open_the_stage_settings(app: TestApp) {
    let (api, owner) = owner(&app).await;
    assert_eq!(owner.get("/settings/pipeline").await.0, StatusCode::OK);
    let member = app.person_in("Acme", "member@example.com", Role::Member).await;
    let b = app.signed_in(&member).await;
    let (_, board) = b.get("/pipeline").await;
    assert!(!board.contains("href=\"/settings/pipeline\""), "members are not offered the settings");
    assert_eq!(b.get("/settings/pipeline").await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.submit("/settings/pipeline", &[("label.0", "Found")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.get("/pipeline/stages").await.1["stages"][0]["label"], "Discovered");
}
