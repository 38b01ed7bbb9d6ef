//! Briefs, deliverables and content review through the API: versioned briefs and their
//! acknowledgement, the deliverable status machine (409 naming the allowed moves), draft
//! rounds with checklists, decisions and comments, revision rounds and time to decision,
//! read keys and tenant isolation on every route.

use crate::campaigns::{campaign, fields, id};
use crate::harness::{Api, Person, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_deliverable_is_planned_on_a_deal_and_bad_fields_are_named,
    the_status_machine_refuses_a_skip_naming_the_allowed_statuses,
    a_draft_goes_through_a_revision_round_to_approval_publication_and_verification,
    approval_needs_every_checklist_item_and_changes_need_feedback,
    the_checklist_comes_from_the_requirements_the_brief_and_the_playbook,
    only_the_newest_waiting_draft_can_be_decided,
    the_brief_is_versioned_and_each_version_is_acknowledged,
    a_brief_can_open_with_a_playbook_template,
    comments_are_kept_per_submission,
    briefs_and_drafts_carry_uploaded_files_of_the_workspace_only,
    a_read_key_cannot_change_briefs_or_deliverables,
    execution_routes_answer_404_for_another_workspace,
);

/// A workspace with a campaign requiring #SummerGlow and @acme, and Ana Lima on it.
pub struct Setup {
    pub api: Api,
    pub person: Person,
    pub campaign: String,
    pub creator: String,
    pub collab: String,
}

pub async fn setup(app: &TestApp) -> Setup {
    setup_in(app, "Acme").await
}

/// The same in a workspace of the given name.
pub async fn setup_in(app: &TestApp, workspace: &str) -> Setup {
    let (api, person) = app.api_in_new_workspace(workspace).await;
    let campaign = id(&campaign(
        &api,
        json!({"name": "Summer", "currency": "EUR", "disclosure_profile": "us",
               "required_hashtags": ["SummerGlow"], "required_mentions": ["acme"]}),
    )
    .await);
    let creator = id(&api.creator(json!({"display_name": "Ana Lima", "contact_points": [{"kind": "email", "value": "ana@example.com", "primary": true}]})).await);
    let (s, v) = api.post(&format!("/campaigns/{campaign}/collaborations"), json!({"creator_id": creator})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    Setup { api, person, campaign, creator, collab: id(&v) }
}

pub async fn deliverable(api: &Api, collab: &str, body: Value) -> Value {
    let (s, v) = api.post(&format!("/collaborations/{collab}/deliverables"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

pub async fn reel(s: &Setup) -> String {
    id(&deliverable(
        &s.api,
        &s.collab,
        json!({"platform": "instagram", "format": "reel", "draft_due_on": "2030-05-01"}),
    )
    .await)
}

pub async fn submit(api: &Api, dl: &str, body: Value) -> Value {
    let (s, v) = api.post(&format!("/deliverables/{dl}/submissions"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// Ticks every item of a submission's checklist.
pub fn all_ticked(sub: &Value) -> Value {
    json!((0..sub["checklist"].as_array().unwrap().len()).collect::<Vec<_>>())
}

async fn status(api: &Api, dl: &str, body: Value) -> (StatusCode, Value) {
    api.post(&format!("/deliverables/{dl}/status"), body).await
}

async fn a_deliverable_is_planned_on_a_deal_and_bad_fields_are_named(app: TestApp) {
    let s = setup(&app).await;
    let v = deliverable(
        &s.api,
        &s.collab,
        json!({"platform": "tiktok", "format": "ugc asset", "quantity": 3, "draft_due_on": "2030-05-01",
               "publish_from": "2030-05-10", "publish_until": "2030-05-20", "fee_minor": 50_000,
               "hashtags": ["ad"], "link": "https://shop.example.com/spf", "code": "ANA10"}),
    )
    .await;
    assert!(v["id"].as_str().unwrap().starts_with("dl_"));
    assert_eq!(
        (v["status"].as_str(), v["format"].as_str(), v["quantity"].as_i64()),
        (Some("planned"), Some("ugc_asset"), Some(3))
    );
    assert_eq!((v["currency"].as_str(), v["fee_minor"].as_i64()), (Some("EUR"), Some(50_000)));
    assert_eq!(v["hashtags"], json!(["ad"]));
    assert_eq!(v["allowed_statuses"], json!(["draft_submitted", "missed", "cancelled"]));
    let (st, e) = s
        .api
        .post(
            &format!("/collaborations/{}/deliverables", s.collab),
            json!({"platform": "myspace", "format": "tweet", "quantity": 0, "draft_due_on": "soon"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["platform", "format", "quantity", "draft_due_on"]);
    let (_, list) = s.api.get(&format!("/collaborations/{}/deliverables", s.collab)).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "the bad one was not stored");
    let (_, events) = s.api.get(&format!("/creators/{}/timeline", s.creator)).await;
    assert!(events["items"].as_array().unwrap().iter().any(|e| e["action"] == "deliverable.planned"));
}

async fn the_status_machine_refuses_a_skip_naming_the_allowed_statuses(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let (st, e) =
        status(&s.api, &dl, json!({"status": "published", "published_url": "https://instagram.com/p/1"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(
        e["message"],
        "a deliverable cannot go from planned to published; allowed: draft_submitted, missed, cancelled"
    );
    let (st, e) = status(&s.api, &dl, json!({"status": "approved"})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(
        e["message"],
        "approved is set by submitting or reviewing a draft, not by hand; allowed by hand from planned: missed, cancelled"
    );
    let (st, e) = status(&s.api, &dl, json!({"status": "finished"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["status"]);
    let (st, v) = status(&s.api, &dl, json!({"status": "missed", "reason": "creator fell ill"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, e) = status(&s.api, &dl, json!({"status": "cancelled"})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(e["message"], "a deliverable that is missed cannot change status");
    let (st, e) = s.api.post(&format!("/deliverables/{dl}/submissions"), json!({"caption": "late"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    let hist: Vec<&str> =
        d["status_history"].as_array().unwrap().iter().map(|h| h["to_status"].as_str().unwrap()).collect();
    assert_eq!(hist, ["planned", "missed"]);
    assert_eq!(d["status_history"][1]["reason"], "creator fell ill");
}

async fn a_draft_goes_through_a_revision_round_to_approval_publication_and_verification(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let v1 = submit(
        &s.api,
        &dl,
        json!({"caption": "Sunny days with @acme\n#beach #sun #sea #SummerGlow #ad", "links": ["https://drive.example.com/v1"]}),
    )
    .await;
    assert_eq!((v1["version"].as_i64(), v1["decision"].clone()), (Some(1), Value::Null));
    assert_eq!(v1["disclosure"]["overall"], "fail", "#ad buried in the closing hashtags: {}", v1["disclosure"]);
    assert!(v1["disclosure"]["advice"].as_str().unwrap().contains("not legal advice"));
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "draft_submitted");
    let sub1 = id(&v1);
    let (st, v) = s
        .api
        .post(
            &format!("/submissions/{sub1}/decision"),
            json!({"decision": "changes_requested", "feedback": "Show the bottle"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["time_to_decision_secs"].as_i64().unwrap() >= 0);
    let v2 = submit(&s.api, &dl, json!({"caption": "#ad Sunny days with the bottle, thanks @acme\n#SummerGlow"})).await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["disclosure"]["overall"], "pass", "{}", v2["disclosure"]);
    let (st, v) = s
        .api
        .post(
            &format!("/submissions/{}/decision", id(&v2)),
            json!({"decision": "approved", "checked": all_ticked(&v2)}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["checklist"].as_array().unwrap().iter().all(|i| i["checked"] == true));
    let (st, e) = status(&s.api, &dl, json!({"status": "published"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["published_url"]);
    let (st, v) =
        status(&s.api, &dl, json!({"status": "published", "published_url": "https://instagram.com/p/xyz"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["published_url"], "https://instagram.com/p/xyz");
    let (st, _) = status(&s.api, &dl, json!({"status": "verified"})).await;
    assert_eq!(st, StatusCode::OK);
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "verified");
    assert_eq!(d["revision_rounds"], 1);
    assert!(d["median_time_to_decision_secs"].as_i64().is_some());
    let hist: Vec<&str> =
        d["status_history"].as_array().unwrap().iter().map(|h| h["to_status"].as_str().unwrap()).collect();
    assert_eq!(
        hist,
        ["planned", "draft_submitted", "changes_requested", "draft_submitted", "approved", "published", "verified"]
    );
    let subs = d["submissions"].as_array().unwrap();
    assert_eq!(
        (subs[0]["decision"].as_str(), subs[0]["feedback"].as_str()),
        (Some("changes_requested"), Some("Show the bottle"))
    );
    assert_eq!(subs[1]["decision"], "approved");
}

async fn approval_needs_every_checklist_item_and_changes_need_feedback(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let sub = submit(&s.api, &dl, json!({"caption": "Draft"})).await;
    let path = format!("/submissions/{}/decision", id(&sub));
    let (st, e) = s.api.post(&path, json!({"decision": "approved", "checked": [0]})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["checked"]);
    assert!(e["fields"][0]["message"].as_str().unwrap().contains("not ticked: Carries the hashtag #summerglow"), "{e}");
    let (st, e) = s.api.post(&path, json!({"decision": "changes_requested"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["feedback"]);
    let (st, e) = s.api.post(&path, json!({"decision": "maybe"})).await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["decision"]));
    let (st, e) = s.api.post(&format!("/deliverables/{dl}/submissions"), json!({"note": "just a note"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["caption"]);
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "draft_submitted", "nothing was decided");
}

async fn the_checklist_comes_from_the_requirements_the_brief_and_the_playbook(app: TestApp) {
    let s = setup(&app).await;
    let (st, v) = s
        .api
        .post(
            &format!("/campaigns/{}/brief", s.campaign),
            json!({"goals": "Launch", "non_negotiables": "- Show the SPF label\n- No alcohol"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = s
        .api
        .post(
            "/playbook/templates",
            json!({"kind": "review_checklist", "name": "Review", "body": "<ul><li>No competitor products</li></ul>"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let dl =
        id(&deliverable(&s.api, &s.collab, json!({"platform": "instagram", "format": "story", "code": "ANA10"})).await);
    let sub = submit(&s.api, &dl, json!({"caption": "Draft"})).await;
    let items: Vec<&str> = sub["checklist"].as_array().unwrap().iter().map(|i| i["item"].as_str().unwrap()).collect();
    assert_eq!(
        items,
        [
            "The advertising disclosure is clear and up front",
            "Carries the hashtag #summerglow",
            "Mentions @acme",
            "Shows the code ANA10",
            "Non-negotiable: Show the SPF label",
            "Non-negotiable: No alcohol",
            "No competitor products",
        ]
    );
}

async fn only_the_newest_waiting_draft_can_be_decided(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let v1 = submit(&s.api, &dl, json!({"caption": "One"})).await;
    let path = format!("/submissions/{}/decision", id(&v1));
    let (st, _) = s.api.post(&path, json!({"decision": "changes_requested", "feedback": "More light"})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, e) = s.api.post(&path, json!({"decision": "changes_requested", "feedback": "again"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["message"], "version 1 is not waiting for a decision (changes_requested)");
    submit(&s.api, &dl, json!({"caption": "Two"})).await;
    let (st, e) = s.api.post(&path, json!({"decision": "approved", "checked": all_ticked(&v1)})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
}

async fn the_brief_is_versioned_and_each_version_is_acknowledged(app: TestApp) {
    let s = setup(&app).await;
    let path = format!("/campaigns/{}/brief", s.campaign);
    let (_, empty) = s.api.get(&path).await;
    assert_eq!(empty["current"], Value::Null);
    let (st, e) = s.api.post(&path, json!({"goals": " ", "dos": "x"})).await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["goals"]));
    let (st, v1) = s
        .api
        .post(&path, json!({"goals": "Launch SPF 50", "key_messages": "Light\nVegan", "dos": "- Film outdoors", "donts": "No alcohol"}))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v1}");
    assert_eq!((v1["version"].as_i64(), v1["key_messages"].clone()), (Some(1), json!(["Light", "Vegan"])));
    let (_, v2) = s.api.post(&path, json!({"goals": "Launch SPF 50 and the kids' line"})).await;
    assert_eq!(v2["version"], 2);
    let ack = format!("/collaborations/{}/brief/acknowledgements", s.collab);
    let (st, e) = s.api.post(&ack, json!({"version": 7})).await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["version"]));
    let (st, a) = s.api.post(&ack, json!({"version": 1})).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    let (st, _) = s.api.post(&ack, json!({"version": 1})).await;
    assert_eq!(st, StatusCode::OK, "acknowledging twice is harmless");
    let (_, h) = s.api.get(&path).await;
    assert_eq!(h["current"]["version"], 2);
    assert_eq!(h["versions"].as_array().unwrap().len(), 2);
    assert_eq!(h["versions"][1]["goals"], "Launch SPF 50", "version 1 is kept as it was");
    assert_eq!(
        h["acknowledgements"],
        json!([{"collaboration_id": s.collab, "version": 1, "acknowledged_at": h["acknowledgements"][0]["acknowledged_at"]}])
    );
}

async fn a_brief_can_open_with_a_playbook_template(app: TestApp) {
    let s = setup(&app).await;
    let (_, t) = s
        .api
        .post(
            "/playbook/templates",
            json!({"kind": "brief", "name": "Std", "body": "<h1>{{ campaign.name }}: brief</h1>"}),
        )
        .await;
    let (_, mail) = s
        .api
        .post(
            "/playbook/templates",
            json!({"kind": "email", "name": "Hi", "subject": "Hi", "body": "Hi {{ creator.first_name }}"}),
        )
        .await;
    let path = format!("/campaigns/{}/brief", s.campaign);
    let (st, e) = s.api.post(&path, json!({"goals": "Launch", "template_id": id(&mail)})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["message"], "is a email template, not a brief template");
    let (st, v) = s.api.post(&path, json!({"goals": "Launch", "template_id": id(&t)})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["body_html"], "<h1>Summer: brief</h1>");
    // Editing the template later does not change the saved version.
    let (st, _) = s.api.patch(&format!("/playbook/templates/{}", id(&t)), json!({"body": "<p>changed</p>"})).await;
    assert_eq!(st, StatusCode::OK);
    let (_, h) = s.api.get(&path).await;
    assert_eq!(h["current"]["body_html"], "<h1>Summer: brief</h1>");
}

async fn comments_are_kept_per_submission(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let sub = id(&submit(&s.api, &dl, json!({"caption": "One"})).await);
    let (st, e) = s.api.post(&format!("/submissions/{sub}/comments"), json!({"body": "  "})).await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body"]));
    let (st, c) = s.api.post(&format!("/submissions/{sub}/comments"), json!({"body": "Love the light at 0:04"})).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["submissions"][0]["comments"][0]["body"], "Love the light at 0:04");
    assert_eq!(d["submissions"][0]["comments"][0]["from_creator"], false);
}

async fn a_read_key_cannot_change_briefs_or_deliverables(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let sub = id(&submit(&s.api, &dl, json!({"caption": "One"})).await);
    let read = app.api(&app.key(s.person.workspace, "read").await);
    let denied = [
        read.post(&format!("/campaigns/{}/brief", s.campaign), json!({"goals": "x"})).await.0,
        read.post(
            &format!("/collaborations/{}/deliverables", s.collab),
            json!({"platform": "instagram", "format": "reel"}),
        )
        .await
        .0,
        read.patch(&format!("/deliverables/{dl}"), json!({"quantity": 2})).await.0,
        read.post(&format!("/deliverables/{dl}/status"), json!({"status": "cancelled"})).await.0,
        read.post(&format!("/deliverables/{dl}/submissions"), json!({"caption": "x"})).await.0,
        read.post(&format!("/submissions/{sub}/decision"), json!({"decision": "changes_requested", "feedback": "x"}))
            .await
            .0,
        read.post(&format!("/submissions/{sub}/comments"), json!({"body": "x"})).await.0,
        read.post(&format!("/deliverables/{dl}/review-links"), json!({})).await.0,
    ];
    assert!(denied.iter().all(|s| *s == StatusCode::FORBIDDEN), "{denied:?}");
    assert_eq!(read.get(&format!("/deliverables/{dl}")).await.0, StatusCode::OK);
}

async fn execution_routes_answer_404_for_another_workspace(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let sub = id(&submit(&s.api, &dl, json!({"caption": "One"})).await);
    let (_, link) = s.api.post(&format!("/deliverables/{dl}/review-links"), json!({})).await;
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let (cp, c) = (&s.campaign, &s.collab);
    let answers = [
        b.get(&format!("/campaigns/{cp}/brief")).await.0,
        b.post(&format!("/campaigns/{cp}/brief"), json!({"goals": "x"})).await.0,
        b.post(&format!("/collaborations/{c}/brief/acknowledgements"), json!({"version": 1})).await.0,
        b.get(&format!("/collaborations/{c}/deliverables")).await.0,
        b.post(&format!("/collaborations/{c}/deliverables"), json!({"platform": "instagram", "format": "reel"}))
            .await
            .0,
        b.get(&format!("/deliverables/{dl}")).await.0,
        b.patch(&format!("/deliverables/{dl}"), json!({"quantity": 2})).await.0,
        b.post(&format!("/deliverables/{dl}/status"), json!({"status": "cancelled"})).await.0,
        b.post(&format!("/deliverables/{dl}/submissions"), json!({"caption": "x"})).await.0,
        b.post(&format!("/submissions/{sub}/decision"), json!({"decision": "changes_requested", "feedback": "x"}))
            .await
            .0,
        b.post(&format!("/submissions/{sub}/comments"), json!({"body": "x"})).await.0,
        b.get(&format!("/deliverables/{dl}/review-links")).await.0,
        b.post(&format!("/deliverables/{dl}/review-links"), json!({})).await.0,
        b.delete(&format!("/review-links/{}", id(&link))).await.0,
    ];
    assert!(answers.iter().all(|s| *s == StatusCode::NOT_FOUND), "{answers:?}");
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "draft_submitted", "nothing changed");
}

async fn briefs_and_drafts_carry_uploaded_files_of_the_workspace_only(app: TestApp) {
    let s = setup(&app).await;
    let (st, file) =
        s.api.upload("/files", "moodboard.pdf", "application/pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n").await;
    assert_eq!(st, StatusCode::CREATED, "{file}");
    let fid = id(&file);
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let (_, theirs) = b.upload("/files", "theirs.pdf", "application/pdf", b"%PDF-1.4\n").await;
    let path = format!("/campaigns/{}/brief", s.campaign);
    let (st, e) = s.api.post(&path, json!({"goals": "Launch", "attachment_ids": [id(&theirs), "fl_nope"]})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["attachment_ids", "attachment_ids"]);
    let (st, v) = s.api.post(&path, json!({"goals": "Launch", "attachment_ids": [fid]})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["attachment_ids"], json!([fid]));
    let dl = reel(&s).await;
    let (st, e) = s.api.post(&format!("/deliverables/{dl}/submissions"), json!({"file_ids": [id(&theirs)]})).await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["file_ids"]));
    let sub = submit(&s.api, &dl, json!({"file_ids": [fid]})).await;
    assert_eq!(sub["file_ids"], json!([fid]));
}
