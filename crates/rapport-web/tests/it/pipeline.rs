//! The pipeline through the API and the use cases: configurable stages, a creator's stage
//! checked against them, a stage history written wherever the stage changes (API, import,
//! merge, and their undo), time in stage, do-not-contact as a column, and the conversion
//! report. The pages are in `pipeline_pages`.

use crate::harness::{Api, TestApp};
use rapport_app::Ctx;
use rapport_app::imports::{self, JobSettings, Source};
use rapport_core::actor::Actor;
use rapport_core::import::{MatchKey, Mode};
use rapport_core::roles::Role;
use rapport_store::stage_changes::{self, StageChangeRow};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

crate::db_tests!(
    the_default_stages_are_listed_in_funnel_order_with_counts,
    stages_are_renamed_reordered_and_added_through_the_api,
    a_stage_with_creators_in_it_cannot_be_removed,
    a_bad_stage_list_is_refused_naming_each_field,
    a_read_key_cannot_change_the_stages_and_a_write_key_can,
    a_creators_stage_must_be_one_of_the_workspaces,
    moving_a_creator_records_who_when_and_why,
    a_patch_that_changes_the_stage_is_recorded_and_one_that_does_not_is_not,
    an_import_records_stage_changes_and_its_undo_restores_the_history,
    a_merge_records_the_new_stage_and_its_undo_restores_both_histories,
    do_not_contact_is_a_column_that_sets_and_clears_the_flag,
    the_conversion_report_counts_entries_conversions_and_median_days,
    the_report_period_must_be_two_dates_in_order,
    pipeline_api_routes_answer_404_for_another_workspaces_creators,
    the_openapi_document_describes_the_pipeline,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// `(from, to)` of each change, oldest first.
async fn history(api: &Api, creator: &str) -> Vec<(Option<String>, String)> {
    let (s, v) = api.get(&format!("/creators/{creator}/stage-history")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut items: Vec<(Option<String>, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["from_stage"].as_str().map(str::to_owned), i["to_stage"].as_str().unwrap().to_owned()))
        .collect();
    items.reverse();
    items
}

fn step(from: Option<&str>, to: &str) -> (Option<String>, String) {
    (from.map(str::to_owned), to.to_owned())
}

fn slugs(v: &Value) -> Vec<String> {
    v["stages"].as_array().unwrap().iter().map(|s| s["slug"].as_str().unwrap().to_owned()).collect()
}

async fn the_default_stages_are_listed_in_funnel_order_with_counts(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "Ana", "stage": "negotiating"})).await;
    let (s, v) = api.get("/pipeline/stages").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        slugs(&v),
        [
            "discovered", "qualified", "contacted", "negotiating", "contracted", "active", "advocate", "paused",
            "declined"
        ]
    );
    assert_eq!(
        v["stages"][3],
        json!({"slug": "negotiating", "label": "Negotiating", "kind": "main", "creators": 1,
        "deleted_creators": 0})
    );
    assert_eq!(v["stages"][7]["kind"], "side");
}

async fn stages_are_renamed_reordered_and_added_through_the_api(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = api.creator(json!({"display_name": "Ana", "stage": "contacted"})).await;
    let (s, v) = api
        .put(
            "/pipeline/stages",
            json!({"stages": [
                {"slug": "discovered", "label": "Found"},
                {"label": "Vetting", "kind": "main"},
                {"slug": "contacted", "label": "Reached out"},
                {"slug": "paused", "label": "On hold", "kind": "side"},
                {"slug": "negotiating", "label": "Negotiating"},
                {"slug": "contracted", "label": "Signed"},
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(slugs(&v), ["discovered", "vetting", "contacted", "negotiating", "contracted", "paused"]);
    let (_, c) = api.get(&format!("/creators/{}", id(&ana))).await;
    assert_eq!((c["stage"].as_str(), c["stage_label"].as_str()), (Some("contacted"), Some("Reached out")));
    let (s, moved) = api.post(&format!("/creators/{}/stage", id(&ana)), json!({"stage": "Vetting"})).await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(moved["stage"], "vetting", "a stage can be named by its label");
    assert_eq!(api.get("/creators?stage=vetting").await.1["total"], 1);
}

async fn a_stage_with_creators_in_it_cannot_be_removed(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = api.creator(json!({"display_name": "Ana", "stage": "paused"})).await;
    let without_paused = json!({"stages": [{"slug": "discovered", "label": "Discovered"}]});
    let (s, v) = api.put("/pipeline/stages", without_paused.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "stages");
    let message = v["fields"][0]["message"].as_str().unwrap();
    assert!(message.contains("Paused (paused) still has 1 creator"), "{message}");
    // A deleted creator still holds its stage: restoring it must find the stage.
    api.delete(&format!("/creators/{}", id(&ana))).await;
    let (s, v) = api.put("/pipeline/stages", without_paused.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("1 of them deleted"), "{v}");
    api.post(&format!("/creators/{}/restore", id(&ana)), json!({})).await;
    api.post(&format!("/creators/{}/stage", id(&ana)), json!({"stage": "discovered"})).await;
    let (s, v) = api.put("/pipeline/stages", without_paused).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(slugs(&v), ["discovered"]);
}

async fn a_bad_stage_list_is_refused_naming_each_field(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api
        .put(
            "/pipeline/stages",
            json!({"stages": [
                {"slug": "discovered", "label": " "},
                {"slug": "Not a slug!", "label": "Odd", "kind": "middle"},
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["stages.0.label", "stages.1.kind", "stages.1.slug"]);
    let (s, v) = api.put("/pipeline/stages", json!({"stages": [{"label": "Paused", "kind": "side"}]})).await;
    assert_eq!(
        (s, v["fields"][0]["message"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("must include at least one main stage"))
    );
    let (s, v) = api.put("/pipeline/stages", json!({"stages": [{"label": "A"}], "colour": "red"})).await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("colour")));
    assert_eq!(slugs(&api.get("/pipeline/stages").await.1).len(), 9, "nothing was saved");
}

async fn a_read_key_cannot_change_the_stages_and_a_write_key_can(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let read = app.api(&app.key(owner.workspace, "read").await);
    let body = json!({"stages": [{"slug": "discovered", "label": "Found"}, {"slug": "paused", "label": "Paused", "kind": "side"},
        {"slug": "declined", "label": "Declined", "kind": "side"}]});
    assert_eq!(read.get("/pipeline/stages").await.0, StatusCode::OK);
    let (s, v) = read.put("/pipeline/stages", body.clone()).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let write = app.api(&app.key(owner.workspace, "write").await);
    let (s, v) = write.put("/pipeline/stages", body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["stages"][0]["label"], "Found");
}

async fn a_creators_stage_must_be_one_of_the_workspaces(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.post("/creators", json!({"display_name": "Ana", "stage": "famous"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "stage");
    let message = v["fields"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("must be one of discovered, qualified, contacted"), "{message}");
    let ana = api.creator(json!({"display_name": "Ana"})).await;
    assert_eq!(ana["stage"], "discovered", "no stage given: the first stage");
    let (s, v) = api.patch(&format!("/creators/{}", id(&ana)), json!({"stage": "do_not_contact"})).await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("stage")));
    let (_, stages) = api.get("/pipeline/stages").await;
    let mut list: Vec<Value> = stages["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({"slug": s["slug"], "label": s["label"], "kind": s["kind"]}))
        .collect();
    list.insert(0, json!({"label": "Scouted"}));
    let (s, v) = api.put("/pipeline/stages", json!({"stages": list})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api.patch(&format!("/creators/{}", id(&ana)), json!({"stage": "scouted"})).await;
    assert_eq!((s, v["stage"].as_str()), (StatusCode::OK, Some("scouted")), "{v}");
    assert_eq!(api.creator(json!({"display_name": "Ben"})).await["stage"], "scouted", "the first stage is the default");
    let (s, v) = api.get("/creators?stage=famous").await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("stage")));
}

async fn moving_a_creator_records_who_when_and_why(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = api.creator(json!({"display_name": "Ana", "stage": "contacted"})).await;
    let before = OffsetDateTime::now_utc() - Duration::seconds(1);
    let (s, v) = api
        .post(&format!("/creators/{}/stage", id(&ana)), json!({"stage": "negotiating", "reason": "Asked for rates"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["stage"].as_str(), v["time_in_stage"].as_str()),
        (Some("negotiating"), Some("in Negotiating for less than a day"))
    );
    let (_, h) = api.get(&format!("/creators/{}/stage-history", id(&ana))).await;
    let latest = &h["items"][0];
    assert_eq!((latest["from_stage"].as_str(), latest["to_stage"].as_str()), (Some("contacted"), Some("negotiating")));
    assert_eq!((latest["from_label"].as_str(), latest["to_label"].as_str()), (Some("Contacted"), Some("Negotiating")));
    assert!(latest["actor"].as_str().unwrap().starts_with("api_key:"));
    assert_eq!(latest["actor_label"], "API key “test key”");
    assert_eq!(latest["reason"], "Asked for rates");
    let at =
        OffsetDateTime::parse(latest["changed_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(at >= before, "{at}");
    assert_eq!(h["items"][1]["from_stage"], Value::Null, "the stage it was created in");
    let (_, c) = api.get(&format!("/creators/{}", id(&ana))).await;
    assert_eq!(c["stage_entered_at"], latest["changed_at"]);
    // Listings read it with their rows: from the database's page and by id for the index's.
    for listing in ["/creators", "/creators?q=ana"] {
        let (_, l) = api.get(listing).await;
        assert_eq!(l["items"][0]["stage_entered_at"], latest["changed_at"], "{listing}");
    }
    let (_, tl) = api.get(&format!("/creators/{}/timeline", id(&ana))).await;
    assert_eq!(tl["items"][0]["changes"][0]["field"], "stage", "the timeline has the change too");
    let (s, v) = api.post(&format!("/creators/{}/stage", id(&ana)), json!({"reason": "x".repeat(501)})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["reason", "stage"]);
}

async fn a_patch_that_changes_the_stage_is_recorded_and_one_that_does_not_is_not(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana"})).await);
    api.patch(&format!("/creators/{ana}"), json!({"city": "Lisbon"})).await;
    assert_eq!(history(&api, &ana).await, [step(None, "discovered")]);
    let (s, v) = api.patch(&format!("/creators/{ana}"), json!({"stage": "Qualified"})).await;
    assert_eq!((s, v["stage"].as_str()), (StatusCode::OK, Some("qualified")), "{v}");
    assert_eq!(history(&api, &ana).await, [step(None, "discovered"), step(Some("discovered"), "qualified")]);
}

async fn an_import_records_stage_changes_and_its_undo_restores_the_history(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ctx = Ctx::system(p.workspace, Actor::System, "test");
    let ana = id(&api
        .creator(json!({"display_name": "Ana", "contact_points": [{"kind": "email", "value": "ana@example.com"}]}))
        .await);
    api.creator(json!({"display_name": "Ben", "contact_points": [{"kind": "email", "value": "ben@example.com"}]}))
        .await;
    let csv = "Email,Stage\nana@example.com,Negotiating\nben@example.com,Famous\n";
    let settings = JobSettings { mode: Mode::Update, match_key: Some(MatchKey::Email), ..Default::default() };
    let job = imports::start(&app.app, &ctx, Source::Upload, "stages.csv", csv.as_bytes(), settings).await.unwrap();
    let job = imports::run(&app.app, &ctx, job.id, |_, _| {}).await.unwrap();
    assert_eq!((job.counts.updated, job.counts.failed), (1, 1));
    let failures = imports::failures(&app.app, &ctx, job.id, 10).await.unwrap();
    assert!(failures[0].reason.starts_with("stage: must be one of discovered"), "{:?}", failures[0]);
    assert_eq!(history(&api, &ana).await, [step(None, "discovered"), step(Some("discovered"), "negotiating")]);
    let (_, h) = api.get(&format!("/creators/{ana}/stage-history")).await;
    assert_eq!(
        (h["items"][0]["actor"].as_str(), h["items"][0]["actor_label"].as_str()),
        (Some("import"), Some("Import stages.csv"))
    );
    imports::undo(&app.app, &ctx, job.id, |_, _| {}).await.unwrap();
    let (_, after) = api.get(&format!("/creators/{ana}")).await;
    assert_eq!(after["stage"], "discovered");
    assert_eq!(history(&api, &ana).await, [step(None, "discovered")], "the history is as before the import");
}

async fn a_merge_records_the_new_stage_and_its_undo_restores_both_histories(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana"})).await);
    let dup = id(&api.creator(json!({"display_name": "Ana S.", "stage": "contacted"})).await);
    api.post(&format!("/creators/{dup}/stage"), json!({"stage": "negotiating"})).await;
    let (s, m) =
        api.post(&format!("/creators/{ana}/merge"), json!({"loser_id": dup, "choices": {"stage": "loser"}})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(history(&api, &ana).await, [step(None, "discovered"), step(Some("discovered"), "negotiating")]);
    let (_, h) = api.get(&format!("/creators/{ana}/stage-history")).await;
    assert_eq!(h["items"][0]["reason"], "Merged with Ana S.");
    let (s, u) = api.post(&format!("/merges/{}/undo", id(&m)), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(history(&api, &ana).await, [step(None, "discovered")]);
    assert_eq!(history(&api, &dup).await, [step(None, "contacted"), step(Some("contacted"), "negotiating")]);
}

async fn do_not_contact_is_a_column_that_sets_and_clears_the_flag(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana", "stage": "contacted"})).await);
    let (s, v) = api.post(&format!("/creators/{ana}/stage"), json!({"stage": "do_not_contact"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["do_not_contact"].as_bool(), v["stage"].as_str()), (Some(true), Some("contacted")));
    assert_eq!(history(&api, &ana).await.len(), 1, "the flag is not a stage");
    assert_eq!(api.get("/creators?dnc=only").await.1["total"], 1);
    assert_eq!(api.get("/creators").await.1["total"], 0);
    let (_, v) = api.post(&format!("/creators/{ana}/stage"), json!({"stage": "negotiating"})).await;
    assert_eq!((v["do_not_contact"].as_bool(), v["stage"].as_str()), (Some(false), Some("negotiating")));
    assert_eq!(api.get("/creators?dnc=only").await.1["total"], 0);
}

/// Replaces a creator's stage history with `steps` (stage, days before now).
async fn backdate(app: &TestApp, ws: Uuid, creator: &str, steps: &[(&str, i64)]) {
    let creator: rapport_core::ids::CreatorId = creator.parse().unwrap();
    let now = OffsetDateTime::now_utc();
    let rows: Vec<StageChangeRow> = steps
        .iter()
        .enumerate()
        .map(|(i, (stage, days))| StageChangeRow {
            id: Uuid::now_v7(),
            creator_id: creator.0,
            from_stage: i.checked_sub(1).map(|j| steps[j].0.to_owned()),
            to_stage: (*stage).to_owned(),
            actor: "system".into(),
            actor_label: "test".into(),
            reason: None,
            changed_at: now - Duration::days(*days),
        })
        .collect();
    let mut tx = app.app.db.begin().await.unwrap();
    stage_changes::replace(&mut tx.conn(), ws, creator.0, &rows).await.unwrap();
    tx.commit().await.unwrap();
}

async fn the_conversion_report_counts_entries_conversions_and_median_days(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ws = p.workspace.0;
    let paths: [&[(&str, i64)]; 4] = [
        &[("discovered", 60), ("qualified", 50), ("contacted", 10)],
        &[("discovered", 40), ("qualified", 20)],
        &[("discovered", 30)],
        &[("discovered", 200), ("qualified", 150)],
    ];
    for (i, path) in paths.iter().enumerate() {
        let c = api.creator(json!({"display_name": format!("Creator {i}"), "stage": path.last().unwrap().0})).await;
        backdate(&app, ws, &id(&c), path).await;
    }
    let (s, r) = api.get("/pipeline/report").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let row = |slug: &str| r["rows"].as_array().unwrap().iter().find(|x| x["stage"] == slug).unwrap().clone();
    let d = row("discovered");
    assert_eq!(
        (d["entered"].as_u64(), d["reached_next"].as_u64()),
        (Some(3), Some(2)),
        "the 200-day-old entry is outside"
    );
    assert_eq!(d["conversion_pct"], 66.7);
    assert_eq!(d["median_days_in_stage"], 15.0, "left after 10 and 20 days");
    assert_eq!(d["next_stage"], "qualified");
    let q = row("qualified");
    assert_eq!(
        (q["entered"].as_u64(), q["reached_next"].as_u64(), q["conversion_pct"].as_f64()),
        (Some(2), Some(1), Some(50.0))
    );
    assert_eq!(q["median_days_in_stage"], 40.0);
    assert_eq!(row("contacted")["conversion_pct"], 0.0);
    assert_eq!(row("negotiating")["conversion_pct"], Value::Null, "nobody entered");
    assert_eq!(row("advocate")["next_stage"], Value::Null);
    assert_eq!(r["rows"].as_array().unwrap().len(), 7, "one row per main stage");
    let today = OffsetDateTime::now_utc().date();
    let from = today - Duration::days(45);
    let (_, r) = api.get(&format!("/pipeline/report?from={from}&to={today}")).await;
    assert_eq!(r["from"], from.to_string());
    let d = r["rows"][0].clone();
    assert_eq!((d["entered"].as_u64(), d["reached_next"].as_u64()), (Some(2), Some(1)));
}

async fn the_report_period_must_be_two_dates_in_order(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.get("/pipeline/report?from=last%20week&to=2026-02-30").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["to", "from"]);
    let (s, v) = api.get("/pipeline/report?from=2026-03-02&to=2026-03-01").await;
    assert_eq!(
        (s, v["fields"][0]["message"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("must not be after to"))
    );
}

async fn pipeline_api_routes_answer_404_for_another_workspaces_creators(app: TestApp) {
    let (a, _) = app.api_in_new_workspace("Alpha").await;
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let theirs = id(&a.creator(json!({"display_name": "Alpha's creator"})).await);
    let (s, v) = b.post(&format!("/creators/{theirs}/stage"), json!({"stage": "qualified"})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, _) = b.post(&format!("/creators/{theirs}/stage"), json!({"stage": "no such stage"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another workspace's creator is not found, whatever the body");
    assert_eq!(b.get(&format!("/creators/{theirs}/stage-history")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(history(&a, &theirs).await, [step(None, "discovered")], "nothing moved");
    assert_eq!(b.get("/pipeline/stages").await.1["stages"][0]["creators"], 0);
    let (_, r) = b.get("/pipeline/report").await;
    assert_eq!(r["rows"][0]["entered"], 0, "Beta's report does not count Alpha's creators");
    b.put("/pipeline/stages", json!({"stages": [{"slug": "discovered", "label": "Beta's name"}]})).await;
    assert_eq!(a.get("/pipeline/stages").await.1["stages"][0]["label"], "Discovered", "stages are per workspace");
}

async fn the_openapi_document_describes_the_pipeline(app: TestApp) {
    let v: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    for path in ["/pipeline/stages", "/pipeline/report", "/creators/{id}/stage", "/creators/{id}/stage-history"] {
        assert!(v["paths"][path].is_object(), "{path} is missing");
    }
    assert!(v["paths"]["/pipeline/stages"]["put"].is_object());
    assert!(v["components"]["schemas"]["StageHistory"].is_object());
}
