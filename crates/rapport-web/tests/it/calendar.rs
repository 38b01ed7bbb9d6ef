//! The content calendar: entries of a workspace, a campaign or a creator through the API;
//! iCalendar feeds fetched without a session and read by an independent parser (Python's
//! `icalendar`); scoped, revoked and unknown feeds; read keys; tenant isolation; the page.

use crate::campaigns::{campaign, fields, id};
use crate::deliverables::{Setup, deliverable, setup};
use crate::harness::{Api, TestApp, csrf_in, in_ci};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

crate::db_tests!(
    the_calendar_lists_draft_due_dates_and_publish_windows_of_a_workspace_campaign_or_creator,
    a_missed_draft_due_date_is_overdue,
    bad_calendar_filters_are_named,
    a_workspace_feed_is_read_by_an_independent_icalendar_parser,
    a_campaign_feed_holds_only_that_campaign_and_a_creator_feed_only_that_creator,
    revoked_and_unknown_feeds_answer_404,
    feeds_of_another_workspace_answer_404_and_bad_feed_fields_are_named,
    a_read_key_sees_the_calendar_but_cannot_create_or_revoke_feeds,
    the_calendar_page_groups_entries_by_week_and_links_each_to_its_deal,
    a_feed_is_created_on_the_page_shown_once_and_revoked,
    a_viewer_sees_the_calendar_without_the_subscribe_form,
);

const PERIOD: &str = "from=2030-04-01&to=2030-06-30";

/// Acme's Summer campaign with Ana Lima's reel (draft due 1 May, published 10–20 May), and
/// a Winter campaign with Ben Okafor's story (draft due 3 May). Returns the setup, the
/// Winter campaign, Ben, and the two deliverables.
struct World {
    s: Setup,
    winter: String,
    ben: String,
    reel: String,
    story: String,
}

async fn world(app: &TestApp) -> World {
    let s = setup(app).await;
    let reel = id(&deliverable(
        &s.api,
        &s.collab,
        json!({"platform": "instagram", "format": "reel", "draft_due_on": "2030-05-01",
               "publish_from": "2030-05-10", "publish_until": "2030-05-20", "fee_minor": 50_000}),
    )
    .await);
    let winter = id(&campaign(&s.api, json!({"name": "Winter", "currency": "EUR"})).await);
    let ben = id(&s.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let (st, col) = s.api.post(&format!("/campaigns/{winter}/collaborations"), json!({"creator_id": ben})).await;
    assert_eq!(st, StatusCode::CREATED, "{col}");
    let story = id(&deliverable(
        &s.api,
        &id(&col),
        json!({"platform": "instagram", "format": "story", "draft_due_on": "2030-05-03"}),
    )
    .await);
    World { s, winter, ben, reel, story }
}

fn titles(v: &Value) -> Vec<String> {
    v["entries"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap().to_string()).collect()
}

async fn the_calendar_lists_draft_due_dates_and_publish_windows_of_a_workspace_campaign_or_creator(app: TestApp) {
    let w = world(&app).await;
    let (st, all) = w.s.api.get(&format!("/calendar?{PERIOD}")).await;
    assert_eq!(st, StatusCode::OK, "{all}");
    assert_eq!(
        titles(&all),
        [
            "Draft due: Reel on Instagram — Ana Lima (Summer)",
            "Draft due: Story on Instagram — Ben Okafor (Winter)",
            "Publish window: Reel on Instagram — Ana Lima (Summer)",
        ]
    );
    let window = &all["entries"][2];
    assert_eq!((window["starts_on"].as_str(), window["ends_on"].as_str()), (Some("2030-05-10"), Some("2030-05-20")));
    assert_eq!(window["deliverable_id"], w.reel.as_str());
    assert_eq!(window["deal_path"], format!("/collaborations/{}", w.s.collab));
    assert_eq!((window["status"].as_str(), window["overdue"].as_bool()), (Some("planned"), Some(false)));
    let (_, summer) = w.s.api.get(&format!("/calendar?{PERIOD}&campaign_id={}", w.s.campaign)).await;
    assert_eq!(summer["entries"].as_array().unwrap().len(), 2);
    assert!(titles(&summer).iter().all(|t| t.contains("Summer")));
    let (_, ben) = w.s.api.get(&format!("/calendar?{PERIOD}&creator_id={}", w.ben)).await;
    assert_eq!(titles(&ben), ["Draft due: Story on Instagram — Ben Okafor (Winter)"]);
    assert_eq!(ben["entries"][0]["deliverable_id"], w.story.as_str());
    let (_, none) =
        w.s.api.get(&format!("/calendar?campaign_id={}&creator_id={}&{PERIOD}", w.winter, w.s.creator)).await;
    assert!(none["entries"].as_array().unwrap().is_empty(), "{none}");
    let (_, later) = w.s.api.get("/calendar?from=2030-05-15&to=2030-06-30").await;
    assert_eq!(titles(&later), ["Publish window: Reel on Instagram — Ana Lima (Summer)"], "an open window overlaps");
}

async fn a_missed_draft_due_date_is_overdue(app: TestApp) {
    let s = setup(&app).await;
    deliverable(&s.api, &s.collab, json!({"platform": "tiktok", "format": "video", "draft_due_on": "2020-01-10"}))
        .await;
    let (_, v) = s.api.get("/calendar?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(v["entries"][0]["overdue"], true, "{v}");
}

async fn bad_calendar_filters_are_named(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (st, e) = api.get("/calendar?campaign_id=summer&creator_id=cp_1&from=soon").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["campaign_id", "creator_id", "from"]);
    let (st, e) = api.get("/calendar?from=2030-06-01&to=2030-05-01").await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["from"]));
}

/// The calendar as Python's `icalendar` reads it: name, method, parse errors and events
/// (uid, summary, description, start, end, status). `None` when python3 or the package
/// is missing outside CI (under `CI=true` that fails the test).
fn parse_ics(ics: &str) -> Option<Value> {
    const SCRIPT: &str = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = [{"uid": str(e["UID"]), "summary": str(e["SUMMARY"]), "description": str(e.get("DESCRIPTION", "")),
           "start": e.decoded("DTSTART").isoformat(), "end": e.decoded("DTEND").isoformat(),
           "status": str(e.get("STATUS", ""))} for e in cal.walk("VEVENT")]
errors = [str(x) for c in cal.walk() for x in c.errors]
print(json.dumps({"name": str(cal["X-WR-CALNAME"]), "method": str(cal["METHOD"]), "version": str(cal["VERSION"]),
                  "errors": errors, "events": events}))
"#;
    let missing = |why: String| {
        assert!(!in_ci(), "CI=true but the iCalendar parser cannot run: {why}");
        eprintln!("skipping the iCalendar parser check: {why}");
        None
    };
    let mut child = match Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return missing(format!("python3: {e}")),
    };
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("No module named 'icalendar'") {
        return missing("pip install icalendar".into());
    }
    assert!(out.status.success(), "icalendar could not read the feed: {stderr}\n{ics}");
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// Creates a feed (201) and fetches it without any credential: (content type, body).
async fn feed(app: &TestApp, api: &Api, body: Value) -> (Value, String, String) {
    let (st, f) = api.post("/calendar/feeds", body).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let path = f["path"].as_str().unwrap().to_string();
    assert!(path.starts_with("/ics/") && path.ends_with(".ics"), "{path}");
    let r = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    (f, ct, r.text().await.unwrap())
}

fn event<'a>(cal: &'a Value, uid: &str) -> &'a Value {
    cal["events"].as_array().unwrap().iter().find(|e| e["uid"] == uid).unwrap_or_else(|| panic!("{uid} in {cal}"))
}

async fn a_workspace_feed_is_read_by_an_independent_icalendar_parser(app: TestApp) {
    let w = world(&app).await;
    let long = "Été 🌞 Glow, Sun; Fun \\ Ünïcode — a campaign name long enough to be folded over several lines";
    let fest = id(&campaign(&w.s.api, json!({"name": long, "currency": "EUR"})).await);
    let (st, col) = w.s.api.post(&format!("/campaigns/{fest}/collaborations"), json!({"creator_id": w.ben})).await;
    assert_eq!(st, StatusCode::CREATED, "{col}");
    let blog = id(&deliverable(
        &w.s.api,
        &id(&col),
        json!({"platform": "blog", "format": "blog",
        "publish_until": "2030-12-31"}),
    )
    .await);
    let (st, v) = w.s.api.post(&format!("/deliverables/{}/status", w.story), json!({"status": "cancelled"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (f, ct, ics) = feed(&app, &w.s.api, json!({})).await;
    assert_eq!((f["scope"].as_str(), f["label"].as_str()), (Some("workspace"), Some("All deliverables")));
    assert!(f["id"].as_str().unwrap().starts_with("cal_"));
    assert_eq!(ct, "text/calendar; charset=utf-8");
    assert!(ics.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets");
    let Some(cal) = parse_ics(&ics) else { return };
    assert_eq!(cal["errors"], json!([]), "{ics}");
    assert_eq!((cal["name"].as_str(), cal["method"].as_str()), (Some("Acme: All deliverables"), Some("PUBLISH")));
    assert_eq!(cal["events"].as_array().unwrap().len(), 4, "{cal}");
    let draft = event(&cal, &format!("{}-draft@rapport", w.reel));
    assert_eq!(draft["summary"], "Draft due: Reel on Instagram — Ana Lima (Summer)");
    assert_eq!((draft["start"].as_str(), draft["end"].as_str()), (Some("2030-05-01"), Some("2030-05-02")));
    assert!(draft["description"].as_str().unwrap().contains("Status: Planned\nFee: 500.00 EUR"), "{draft}");
    assert!(draft["description"].as_str().unwrap().contains(&format!("/collaborations/{}", w.s.collab)));
    let window = event(&cal, &format!("{}-publish@rapport", w.reel));
    assert_eq!(window["summary"], "Publish window: Reel on Instagram — Ana Lima (Summer)");
    assert_eq!((window["start"].as_str(), window["end"].as_str()), (Some("2030-05-10"), Some("2030-05-21")));
    assert_eq!(window["status"], "CONFIRMED");
    assert_eq!(event(&cal, &format!("{}-draft@rapport", w.story))["status"], "CANCELLED");
    let folded = event(&cal, &format!("{blog}-publish@rapport"));
    assert_eq!(folded["summary"], format!("Publish window: Blog post on Blog — Ben Okafor ({long})"));
    assert_eq!((folded["start"].as_str(), folded["end"].as_str()), (Some("2030-12-31"), Some("2031-01-01")));
}

fn uids(cal: &Value) -> Vec<String> {
    let mut u: Vec<String> =
        cal["events"].as_array().unwrap().iter().map(|e| e["uid"].as_str().unwrap().to_string()).collect();
    u.sort();
    u
}

async fn a_campaign_feed_holds_only_that_campaign_and_a_creator_feed_only_that_creator(app: TestApp) {
    let w = world(&app).await;
    let (f, _, summer) = feed(&app, &w.s.api, json!({"campaign_id": w.s.campaign})).await;
    assert_eq!((f["scope"].as_str(), f["campaign_name"].as_str()), (Some("campaign"), Some("Summer")));
    let (f, _, ben) =
        feed(&app, &w.s.api, json!({"scope": "creator", "creator_id": w.ben, "label": "Ben's dates"})).await;
    assert_eq!((f["scope"].as_str(), f["label"].as_str()), (Some("creator"), Some("Ben's dates")));
    assert!(!summer.contains(&w.story) && summer.contains(&w.reel), "{summer}");
    assert!(ben.contains(&w.story) && !ben.contains(&w.reel), "{ben}");
    let (Some(summer), Some(ben)) = (parse_ics(&summer), parse_ics(&ben)) else { return };
    assert_eq!(uids(&summer), [format!("{}-draft@rapport", w.reel), format!("{}-publish@rapport", w.reel)]);
    assert_eq!(uids(&ben), [format!("{}-draft@rapport", w.story)]);
    assert_eq!(ben["name"], "Acme: Ben's dates");
}

async fn revoked_and_unknown_feeds_answer_404(app: TestApp) {
    let w = world(&app).await;
    let (f, _, _) = feed(&app, &w.s.api, json!({})).await;
    let path = f["path"].as_str().unwrap();
    let (st, _) = w.s.api.delete(&format!("/calendar/feeds/{}", id(&f))).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(reqwest::get(app.url(path)).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(w.s.api.delete(&format!("/calendar/feeds/{}", id(&f))).await.0, StatusCode::NOT_FOUND);
    let (_, list) = w.s.api.get("/calendar/feeds").await;
    assert_eq!((list[0]["id"].as_str(), list[0]["revoked"].as_bool()), (Some(id(&f).as_str()), Some(true)));
    assert!(list[0].get("path").is_none(), "the secret is shown only once");
    let unknown = rapport_app::tokens::random_token().unwrap();
    for p in [format!("/ics/{unknown}.ics"), format!("/ics/{unknown}"), "/ics/.ics".into()] {
        assert_eq!(reqwest::get(app.url(&p)).await.unwrap().status(), StatusCode::NOT_FOUND, "{p}");
    }
}

async fn feeds_of_another_workspace_answer_404_and_bad_feed_fields_are_named(app: TestApp) {
    let w = world(&app).await;
    let (mine, _, _) = feed(&app, &w.s.api, json!({})).await;
    let (beta, _) = app.api_in_new_workspace("Beta").await;
    let answers = [
        beta.post("/calendar/feeds", json!({"campaign_id": w.s.campaign})).await.0,
        beta.post("/calendar/feeds", json!({"creator_id": w.s.creator})).await.0,
        beta.delete(&format!("/calendar/feeds/{}", id(&mine))).await.0,
        beta.get(&format!("/calendar?campaign_id={}", w.s.campaign)).await.0,
        beta.get(&format!("/calendar?creator_id={}", w.s.creator)).await.0,
    ];
    assert!(answers.iter().all(|s| *s == StatusCode::NOT_FOUND), "{answers:?}");
    let (_, theirs) = beta.get("/calendar/feeds").await;
    assert_eq!(theirs, json!([]));
    let (_, cal) = beta.get(&format!("/calendar?{PERIOD}")).await;
    assert_eq!(cal["entries"], json!([]));
    let (st, e) = w.s.api.post("/calendar/feeds", json!({"scope": "campaign", "creator_id": w.ben})).await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["campaign_id", "creator_id"]));
    let (st, e) = w.s.api.post("/calendar/feeds", json!({"scope": "team", "label": "x".repeat(201)})).await;
    assert_eq!((st, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["label", "scope"]));
    let (_, list) = w.s.api.get("/calendar/feeds").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing bad was stored");
}

async fn a_read_key_sees_the_calendar_but_cannot_create_or_revoke_feeds(app: TestApp) {
    let w = world(&app).await;
    let (mine, _, _) = feed(&app, &w.s.api, json!({})).await;
    let read = app.api(&app.key(w.s.person.workspace, "read").await);
    let (st, e) = read.post("/calendar/feeds", json!({"campaign_id": w.s.campaign})).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(read.delete(&format!("/calendar/feeds/{}", id(&mine))).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.get(&format!("/calendar?{PERIOD}")).await.0, StatusCode::OK);
    let (st, list) = read.get("/calendar/feeds").await;
    assert_eq!((st, list.as_array().unwrap().len()), (StatusCode::OK, 1));
}

async fn the_calendar_page_groups_entries_by_week_and_links_each_to_its_deal(app: TestApp) {
    let w = world(&app).await;
    let b = app.signed_in(&w.s.person).await;
    let (st, page) = b.get(&format!("/calendar?{PERIOD}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("href=\"/calendar\" aria-current=\"page\""), "the navigation marks the calendar");
    assert!(page.contains("Week of 29 April 2030") && page.contains("Week of 6 May 2030"), "{page}");
    assert!(page.contains(&format!("href=\"/collaborations/{}\"", w.s.collab)));
    assert!(page.contains("Wed 1 May") && page.contains("Fri 10 May – Mon 20 May") && page.contains("Ben Okafor"));
    let (_, only) = b.get(&format!("/calendar?{PERIOD}&creator_id={}", w.ben)).await;
    assert!(only.contains("Story on Instagram") && !only.contains("Reel on Instagram"), "{only}");
    let (st, bad) = b.get("/calendar?from=soon").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("must be a date") && bad.contains("value=\"soon\""), "keeps what was typed");
    let (beta, _) = app.api_in_new_workspace("Beta").await;
    let theirs = id(&campaign(&beta, json!({"name": "Theirs"})).await);
    let (st, _) = b.get(&format!("/calendar?campaign_id={theirs}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "another workspace's campaign");
}

async fn a_feed_is_created_on_the_page_shown_once_and_revoked(app: TestApp) {
    let w = world(&app).await;
    let b = app.signed_in(&w.s.person).await;
    let (_, page) = b.get("/calendar").await;
    let csrf = csrf_in(&page);
    let (st, page) =
        b.post("/calendar/feeds", &[("_csrf", &csrf), ("target", &w.s.campaign), ("label", "Summer shoots")]).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.contains("Feed “Summer shoots” created"), "{page}");
    let start = page.find(&format!("{}/ics/", app.base)).expect("the feed URL is shown");
    let url = page[start..].split('"').next().unwrap().to_string();
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains(&w.reel));
    let (_, again) = b.get("/calendar").await;
    assert!(!again.contains(&url) && again.contains("Summer shoots"), "shown only once");
    let (_, feeds) = w.s.api.get("/calendar/feeds").await;
    let (st, _) = b.post(&format!("/calendar/feeds/{}/revoke", id(&feeds[0])), &[("_csrf", &csrf)]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::NOT_FOUND);
    let (st, _) = b.post("/calendar/feeds", &[("target", "workspace")]).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the form needs the CSRF token");
}

async fn a_viewer_sees_the_calendar_without_the_subscribe_form(app: TestApp) {
    let w = world(&app).await;
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let b = app.signed_in(&viewer).await;
    let (st, page) = b.get(&format!("/calendar?{PERIOD}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Reel on Instagram") && !page.contains("action=\"/calendar/feeds\""), "{page}");
    let csrf = csrf_in(&page);
    let (st, _) = b.post("/calendar/feeds", &[("_csrf", &csrf), ("target", &w.s.campaign)]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}
