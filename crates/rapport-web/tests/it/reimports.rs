//! Importing the same file again: a row is recognised as the one last imported into its
//! creator (without reading the creator) only while nothing has written to the creator
//! since. An edit through the API, a changed account or an undone import makes the row
//! count again.

use crate::harness::{Api, TestApp};
use rapport_app::Ctx;
use rapport_app::imports::{self, JobSettings, JobView, Outcome, Source};
use rapport_core::actor::Actor;
use rapport_core::ids::WorkspaceId;
use rapport_core::import::Mode;
use serde_json::{Value, json};

crate::db_tests!(
    an_unchanged_file_imported_again_and_again_changes_nothing,
    a_creator_edited_since_its_import_is_updated_by_the_same_file_again,
    an_account_changed_since_its_import_is_updated_by_the_same_file_again,
    a_file_imported_again_after_its_import_was_undone_applies_again,
    a_row_repeated_in_one_file_is_applied_in_order_again,
);

const FILE: &str = "Name,Email,Handle,Platform,City,Followers,Tags\n\
    Ann Lee,ann@example.com,annlee,instagram,Berlin,12.5K,food\n\
    Bob Ray,bob@example.com,bobray,tiktok,Rome,900,\n\
    Cem Kaya,cem@example.com,cemk,youtube,Izmir,1.2M,travel\n";

fn ctx(ws: WorkspaceId) -> Ctx {
    Ctx::system(ws, Actor::System, "test")
}

/// Imports `file` in upsert mode by email and returns the finished job.
async fn import(app: &TestApp, ws: WorkspaceId, file: &str) -> JobView {
    let settings = JobSettings { mode: Mode::Upsert, ..Default::default() };
    let job =
        imports::start(&app.app, &ctx(ws), Source::Upload, "creators.csv", file.as_bytes(), settings).await.unwrap();
    imports::run(&app.app, &ctx(ws), job.id, |_, _| {}).await.unwrap()
}

fn counts(job: &JobView) -> (i64, i64, i64, i64) {
    let c = &job.counts;
    (c.created, c.updated, c.unchanged, c.failed)
}

async fn creator(api: &Api, email: &str) -> Value {
    let (_, found) = api.get(&format!("/creators?q={}", email.replace('@', "%40"))).await;
    let id = found["items"][0]["id"].as_str().unwrap_or_else(|| panic!("{email}: {found}")).to_string();
    api.get(&format!("/creators/{id}")).await.1
}

async fn an_unchanged_file_imported_again_and_again_changes_nothing(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    assert_eq!(counts(&import(&app, p.workspace, FILE).await), (3, 0, 0, 0));
    let before = creator(&api, "ann@example.com").await;
    for round in 0..2 {
        let job = import(&app, p.workspace, FILE).await;
        assert_eq!(counts(&job), (0, 0, 3, 0), "round {round}");
    }
    let settings = JobSettings { mode: Mode::Upsert, ..Default::default() };
    let dry = imports::preview(&app.app, &ctx(p.workspace), Source::Upload, "c.csv", FILE.as_bytes(), settings, None)
        .await
        .unwrap();
    let rows: Vec<(&str, Outcome)> = dry.rows.iter().map(|r| (r.name.as_str(), r.outcome)).collect();
    let unchanged = Outcome::Unchanged;
    assert_eq!(rows, [("Ann Lee", unchanged), ("Bob Ray", unchanged), ("Cem Kaya", unchanged)], "the dry run agrees");
    assert_eq!(creator(&api, "ann@example.com").await, before);
}

async fn a_creator_edited_since_its_import_is_updated_by_the_same_file_again(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    import(&app, p.workspace, FILE).await;
    let ann = creator(&api, "ann@example.com").await;
    let (s, v) = api.patch(&format!("/creators/{}", ann["id"].as_str().unwrap()), json!({"city": "Paris"})).await;
    assert!(s.is_success(), "{v}");
    assert_eq!(counts(&import(&app, p.workspace, FILE).await), (0, 1, 2, 0));
    assert_eq!(creator(&api, "ann@example.com").await["city"], "Berlin");
}

async fn an_account_changed_since_its_import_is_updated_by_the_same_file_again(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    import(&app, p.workspace, FILE).await;
    let cem = creator(&api, "cem@example.com").await;
    let account = &cem["social_accounts"][0];
    let path = format!("/creators/{}/accounts/{}", cem["id"].as_str().unwrap(), account["id"].as_str().unwrap());
    let (s, v) = api.patch(&path, json!({"platform": "youtube", "handle": "cemk", "followers": 1_300_000})).await;
    assert!(s.is_success(), "{v}");
    assert_eq!(counts(&import(&app, p.workspace, FILE).await), (0, 1, 2, 0));
    assert_eq!(creator(&api, "cem@example.com").await["social_accounts"][0]["followers"], 1_200_000);
}

async fn a_file_imported_again_after_its_import_was_undone_applies_again(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    import(&app, p.workspace, FILE).await;
    let moved = FILE.replace("Berlin", "Hamburg");
    let job = import(&app, p.workspace, &moved).await;
    assert_eq!(counts(&job), (0, 1, 2, 0));
    imports::undo(&app.app, &ctx(p.workspace), job.id, |_, _| {}).await.unwrap();
    assert_eq!(creator(&api, "ann@example.com").await["city"], "Berlin");
    assert_eq!(counts(&import(&app, p.workspace, &moved).await), (0, 1, 2, 0), "the undone row applies again");
    assert_eq!(creator(&api, "ann@example.com").await["city"], "Hamburg");
}

/// A file that disagrees with itself (two rows for one creator) sets the creator back and
/// forth on every import: the last row wins each time.
async fn a_row_repeated_in_one_file_is_applied_in_order_again(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let file = format!("{FILE}Ann L.,ann@example.com,annlee,instagram,Munich,12.5K,food\n");
    assert_eq!(counts(&import(&app, p.workspace, &file).await), (3, 1, 0, 0));
    for round in 0..2 {
        assert_eq!(counts(&import(&app, p.workspace, &file).await), (0, 2, 2, 0), "round {round}");
        let ann = creator(&api, "ann@example.com").await;
        assert_eq!((ann["display_name"].as_str(), ann["city"].as_str()), (Some("Ann L."), Some("Munich")));
    }
}
