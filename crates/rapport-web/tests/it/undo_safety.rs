//! Undoing an import never throws away work done since: a creator the import created or
//! updated and that was written to after it finished is left as it is (and counted apart), and
//! one merged into another since is counted as gone, not as deleted.

use crate::harness::TestApp;
use rapport_app::Ctx;
use rapport_app::imports::{self, JobSettings, Source, Status};
use rapport_core::actor::Actor;
use rapport_core::import::{MatchKey, Mode};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(undo_leaves_creators_changed_since_the_import_as_they_are);

const FILE: &str = "Name,Email,City\n\
    Bea Kept,bea@example.com,Hamburg\n\
    Fay Plain,fay@example.com,Bremen\n\
    Cara Kept,cara@example.com,Kiel\n\
    Dan Merged,dan@example.com,Ulm\n\
    Eve Plain,eve@example.com,Jena\n";

async fn undo_leaves_creators_changed_since_the_import_as_they_are(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let bea = api
        .creator(json!({"display_name": "Bea Kept", "contact_points": [{"kind": "email", "value": "bea@example.com"}]}))
        .await;
    let fay = api
        .creator(
            json!({"display_name": "Fay Plain", "contact_points": [{"kind": "email", "value": "fay@example.com"}]}),
        )
        .await;
    let ana = api.creator(json!({"display_name": "Ana Survivor"})).await;
    let ctx = Ctx::system(person.workspace, Actor::System, "test");
    let settings = JobSettings { mode: Mode::Upsert, match_key: Some(MatchKey::Email), ..Default::default() };
    let job = imports::start(&app.app, &ctx, Source::Upload, "c.csv", FILE.as_bytes(), settings).await.unwrap();
    let job = imports::run(&app.app, &ctx, job.id, |_, _| {}).await.unwrap();
    assert_eq!((job.counts.created, job.counts.updated), (3, 2));

    let find = |name: &'static str| {
        let api = &api;
        async move {
            let (_, v) = api.get(&format!("/creators?q={}", name.replace(' ', "+"))).await;
            v["items"].as_array().unwrap().iter().find(|c| c["display_name"] == name).cloned()
        }
    };
    let b = bea["id"].as_str().unwrap();
    let (s, _) = api.patch(&format!("/creators/{b}"), json!({"tags": ["vip"]})).await;
    assert_eq!(s, StatusCode::OK);
    let cara = find("Cara Kept").await.unwrap();
    let (s, _) =
        api.patch(&format!("/creators/{}", cara["id"].as_str().unwrap()), json!({"bio": "Met at a fair"})).await;
    assert_eq!(s, StatusCode::OK);
    let dan = find("Dan Merged").await.unwrap();
    let (s, m) =
        api.post(&format!("/creators/{}/merge", ana["id"].as_str().unwrap()), json!({"loser_id": dan["id"]})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");

    let report = imports::undo(&app.app, &ctx, job.id, |_, _| {}).await.unwrap();
    assert_eq!((report.deleted, report.restored, report.kept, report.gone), (1, 1, 2, 1), "{report:?}");
    assert!(report.problems.is_empty(), "{report:?}");

    let (_, bea_now) = api.get(&format!("/creators/{b}")).await;
    assert_eq!((bea_now["tags"].clone(), bea_now["city"].clone()), (json!(["vip"]), json!("Hamburg")), "kept");
    let cara_now = find("Cara Kept").await.expect("Cara was changed since, so she stays");
    assert_eq!(cara_now["bio"], "Met at a fair");
    assert!(find("Eve Plain").await.is_none(), "Eve, untouched since, is deleted");
    let (_, fay_now) = api.get(&format!("/creators/{}", fay["id"].as_str().unwrap())).await;
    assert_eq!(fay_now["city"], Value::Null, "Fay, untouched since, is as before");
    let (_, ana_now) = api.get(&format!("/creators/{}", ana["id"].as_str().unwrap())).await;
    assert!(ana_now["contact_points"].to_string().contains("dan@example.com"), "the merge is not undone: {ana_now}");

    let job = imports::get(&app.app, &ctx, job.id).await.unwrap();
    assert_eq!(job.status, Status::Undone);
    let note = job.error.clone().unwrap_or_default();
    assert!(note.contains("2 creators changed since the import were left as they are"), "{note}");
    assert!(note.contains("1 creator was already gone"), "{note}");
    let browser = app.signed_in(&person).await;
    let (_, page) = browser.get(&format!("/imports/{}", job.id)).await;
    assert!(page.contains("were left as they are"), "the job's page says so");
}
