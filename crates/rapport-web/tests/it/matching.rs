//! How an import finds the creator a row updates when the file and Rapport know creators
//! by different keys: "email, else handle" adds emails to creators known so far only by
//! their accounts, where matching by email alone refuses those rows.

use crate::harness::TestApp;
use rapport_app::Ctx;
use rapport_app::imports::{self, JobSettings, JobView, Source};
use rapport_core::actor::Actor;
use rapport_core::ids::WorkspaceId;
use rapport_core::import::{MatchKey, Mode};
use reqwest::StatusCode;
use serde_json::json;

crate::db_tests!(
    email_else_handle_adds_emails_to_creators_known_by_their_accounts,
    email_else_handle_needs_an_email_or_a_handle_column,
    the_dry_run_and_the_run_agree_when_an_email_finds_a_creator_made_earlier_in_the_file,
);

/// Lena is known by her Instagram account, Olga by her email; Nina is new.
const FILE: &str = "Name,Email,Platform,Handle,Followers\n\
    Lena Berg,lena@example.com,instagram,lenaberg,12000\n\
    Olga Sand,olga@example.com,tiktok,olgasand,5000\n\
    Nina Lind,nina@example.com,instagram,ninalind,800\n";

fn ctx(ws: WorkspaceId) -> Ctx {
    Ctx::system(ws, Actor::System, "test")
}

fn settings(key: MatchKey) -> JobSettings {
    JobSettings { mode: Mode::Upsert, match_key: Some(key), ..Default::default() }
}

/// The dry run of `file` with these settings.
async fn preview(app: &TestApp, ws: WorkspaceId, file: &str, settings: JobSettings) -> imports::Preview {
    imports::preview(&app.app, &ctx(ws), Source::Upload, "c.csv", file.as_bytes(), settings, None).await.unwrap()
}

/// `file` imported with these settings, the job finished.
async fn run(app: &TestApp, ws: WorkspaceId, file: &str, settings: JobSettings) -> JobView {
    let job = imports::start(&app.app, &ctx(ws), Source::Upload, "c.csv", file.as_bytes(), settings).await.unwrap();
    imports::run(&app.app, &ctx(ws), job.id, |_, _| {}).await.unwrap()
}

async fn import(app: &TestApp, ws: WorkspaceId, key: MatchKey) -> JobView {
    run(app, ws, FILE, settings(key)).await
}

fn counts(job: &JobView) -> (i64, i64, i64, i64) {
    let c = &job.counts;
    (c.created, c.updated, c.unchanged, c.failed)
}

async fn email_else_handle_adds_emails_to_creators_known_by_their_accounts(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let lena = api
        .creator(json!({"display_name": "Lena Berg",
            "social_accounts": [{"platform": "instagram", "handle": "lenaberg", "followers": 11000}]}))
        .await;
    api.creator(json!({"display_name": "Olga Sand", "contact_points": [{"value": "olga@example.com"}]})).await;

    // By email alone, Lena's row would be a new creator holding her handle: refused.
    let by_email = preview(&app, p.workspace, FILE, settings(MatchKey::Email)).await;
    assert_eq!(by_email.planned.failed, 1, "{:?}", by_email.failures);
    let refused = &by_email.failures[0].errors[0].message;
    assert!(refused.contains("already belongs to Lena Berg"), "{refused}");
    assert!(refused.contains("match by email, else platform + handle"), "the way around it: {refused}");

    // Creating only, no key would update her: no such advice.
    let create = JobSettings { mode: Mode::Create, ..settings(MatchKey::Email) };
    let created = preview(&app, p.workspace, FILE, create).await;
    let refused = &created.failures[0].errors[0].message;
    assert!(refused.contains("already belongs to Lena Berg") && !refused.contains("match by"), "{refused}");
    // Updating only, a row that finds no one says so on its email.
    let update = JobSettings { mode: Mode::Update, ..settings(MatchKey::EmailOrHandle) };
    let updated = preview(&app, p.workspace, FILE, update).await;
    let nina = &updated.failures[0].errors[0];
    assert_eq!(nina.field, "email", "{nina:?}");
    assert!(nina.message.contains("this email or these handles"), "{nina:?}");

    let dry = preview(&app, p.workspace, FILE, settings(MatchKey::EmailOrHandle)).await;
    let job = import(&app, p.workspace, MatchKey::EmailOrHandle).await;
    assert_eq!(counts(&job), (1, 2, 0, 0), "Nina created; Lena found by her handle, Olga by her email");
    assert_eq!((dry.planned.created, dry.planned.updated, dry.planned.failed), (1, 2, 0), "the dry run agrees");
    assert_eq!(job.match_key, MatchKey::EmailOrHandle, "the job keeps its key");

    let (_, lena) = api.get(&format!("/creators/{}", lena["id"].as_str().unwrap())).await;
    assert_eq!(lena["primary_email"], "lena@example.com", "{lena}");
    assert_eq!(lena["social_accounts"][0]["followers"], 12000);
    let (_, all) = api.get("/creators?limit=0").await;
    assert_eq!(all["total"], 3, "no one twice");
    let again = import(&app, p.workspace, MatchKey::EmailOrHandle).await;
    assert_eq!(counts(&again), (0, 0, 3, 0), "now every row finds its creator by email");
}

async fn email_else_handle_needs_an_email_or_a_handle_column(app: TestApp) {
    let (_, p) = app.api_in_new_workspace("Acme").await;
    let file = "Name,City\nLena Berg,Berlin\n";
    let dry = preview(&app, p.workspace, file, settings(MatchKey::EmailOrHandle)).await;
    assert_eq!(dry.problems.first().map(|e| e.field.as_str()), Some("match_key"), "{:?}", dry.problems);
    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/imports").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("By email, else platform + handle"), "offered on the upload form");
}

/// Row 2's email finds the creator row 1 creates, before its handle finds Zed: the run
/// refuses it (Zed's handle on Ann), and the dry run says so instead of an update of Zed.
async fn the_dry_run_and_the_run_agree_when_an_email_finds_a_creator_made_earlier_in_the_file(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let zed = api
        .creator(json!({"display_name": "Zed Known",
            "social_accounts": [{"platform": "instagram", "handle": "known", "followers": 100}]}))
        .await;
    let file = "Name,Email,Platform,Handle\n\
        Ann New,ann@example.com,tiktok,annnew\n\
        Ann New,ann@example.com,instagram,known\n";
    let key = settings(MatchKey::EmailOrHandle);
    let dry = preview(&app, p.workspace, file, key).await;
    let job = run(&app, p.workspace, file, settings(MatchKey::EmailOrHandle)).await;
    assert_eq!(counts(&job), (1, 0, 0, 1), "row 2 refused: Zed's handle");
    let planned = &dry.planned;
    assert_eq!((planned.created, planned.updated, planned.unchanged, planned.failed), (1, 0, 0, 1), "{:?}", dry.rows);
    let refused = &dry.failures[0];
    assert!(refused.errors[0].message.contains(zed["id"].as_str().unwrap()), "{refused:?}");
    assert_eq!(refused.creator, None, "it updates no one");
}
