//! The home dashboard and the workspace activity feed: my overdue and due-soon tasks,
//! overdue touches of the creators I own (gone once I log an interaction) with the team's
//! count, the latest activity; the feed's pages, filters and isolation in the API and the UI.

use crate::harness::{Api, Person, TestApp};
use crate::interactions::{ago, log};
use rapport_app::Ctx;
use rapport_core::actor::Actor;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

crate::db_tests!(
    home_is_a_dashboard_in_the_navigation,
    my_overdue_and_due_soon_tasks_are_on_the_dashboard,
    an_overdue_touch_is_on_the_dashboard_until_an_interaction_is_logged,
    the_team_count_includes_creators_owned_by_others,
    the_activity_feed_is_paged_newest_first_with_creator_names,
    the_activity_feed_filters_by_actor_and_action,
    the_activity_feed_shows_only_the_callers_workspace,
    the_activity_page_lists_events_with_links_and_filters,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn user_id(app: &TestApp, p: &Person) -> String {
    let ctx = Ctx::system(p.workspace, Actor::System, "test");
    let members = rapport_app::members::list(&app.app, &ctx).await.unwrap();
    members.into_iter().find(|m| m.email == p.email).unwrap().user_id.to_string()
}

fn day(offset: i64) -> String {
    (OffsetDateTime::now_utc().date() + Duration::days(offset)).to_string()
}

/// A creator owned by `owner` with a cadence.
async fn owned(api: &Api, name: &str, owner: &str, every: i64) -> String {
    id(&api.creator(json!({"display_name": name, "owner_id": owner, "touch_every_days": every})).await)
}

/// The dashboard's section with this id.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

async fn home_is_a_dashboard_in_the_navigation(app: TestApp) {
    let p = app.workspace("Acme", Role::Member).await;
    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<h1>Home</h1>") && page.contains("href=\"/\" aria-current=\"page\""));
    assert!(page.contains("Nothing due") && page.contains("in touch with everyone"));
    assert!(page.contains("href=\"/activity\""));
    assert_eq!(app.browser().await.get("/").await.0, StatusCode::SEE_OTHER, "signed out goes to sign in");
}

async fn my_overdue_and_due_soon_tasks_are_on_the_dashboard(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let me = user_id(&app, &p).await;
    let other = app.person_in("Acme", "other@example.com", Role::Member).await;
    let them = user_id(&app, &other).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    for (title, due, who) in [
        ("Late brief", Some(day(-2)), &me),
        ("Call Friday", Some(day(3)), &me),
        ("Far away", Some(day(30)), &me),
        ("Undated", None, &me),
        ("Someone else's", Some(day(-1)), &them),
    ] {
        let (s, v) = api
            .post(&format!("/creators/{ana}/tasks"), json!({"title": title, "due_on": due, "assignee_id": who}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (_, done) = api
        .post(&format!("/creators/{ana}/tasks"), json!({"title": "Done already", "due_on": day(-1), "assignee_id": me}))
        .await;
    api.patch(&format!("/tasks/{}", id(&done)), json!({"done": true})).await;
    let b = app.signed_in(&p).await;
    let (_, page) = b.get("/").await;
    let tasks = section(&page, "my-tasks");
    assert!(tasks.contains("Late brief") && tasks.contains("Call Friday"), "{tasks}");
    assert!(tasks.find("Late brief").unwrap() < tasks.find("Call Friday").unwrap(), "soonest first");
    assert!(tasks.contains("overdue") && tasks.contains(&format!("/creators/{ana}#tasks")));
    for absent in ["Far away", "Undated", "Someone else", "Done already"] {
        assert!(!tasks.contains(absent), "{absent} should not be listed");
    }
}

async fn an_overdue_touch_is_on_the_dashboard_until_an_interaction_is_logged(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let me = user_id(&app, &p).await;
    let ana = owned(&api, "Ana Lima", &me, 7).await;
    let ben = owned(&api, "Ben Ito", &me, 30).await;
    // Ana was last contacted ten days ago with a weekly cadence: three days overdue.
    log(&api, &ana, json!({"channel": "call", "direction": "outbound", "occurred_at": ago(Duration::days(10))})).await;
    log(&api, &ben, json!({"channel": "call", "direction": "outbound", "occurred_at": ago(Duration::days(10))})).await;
    let b = app.signed_in(&p).await;
    let (_, page) = b.get("/").await;
    let touches = section(&page, "touches");
    assert!(touches.contains("Ana Lima") && touches.contains("3 days overdue"), "{touches}");
    assert!(!touches.contains("Ben Ito"), "Ben is not due for another 20 days");
    assert!(touches.contains("The whole team has 1 overdue"));
    log(&api, &ana, json!({"channel": "email", "direction": "inbound"})).await;
    let (_, page) = b.get("/").await;
    let touches = section(&page, "touches");
    assert!(!touches.contains("Ana Lima") && touches.contains("The whole team has 0 overdue"), "{touches}");
}

async fn the_team_count_includes_creators_owned_by_others(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let other = app.person_in("Acme", "other@example.com", Role::Member).await;
    let them = user_id(&app, &other).await;
    let cleo = owned(&api, "Cleo Park", &them, 5).await;
    log(&api, &cleo, json!({"channel": "dm", "direction": "outbound", "occurred_at": ago(Duration::days(9))})).await;
    // A creator with a cadence but never contacted is due a cadence after being added.
    owned(&api, "Dan Roy", &them, 3).await;
    // Nobody is due to reach out to a do-not-contact creator.
    let fay = owned(&api, "Fay Dunn", &them, 2).await;
    log(&api, &fay, json!({"channel": "call", "direction": "outbound", "occurred_at": ago(Duration::days(9))})).await;
    api.patch(&format!("/creators/{fay}"), json!({"do_not_contact": true})).await;
    let (_, r) = api.get(&format!("/creators/{fay}/responsiveness")).await;
    assert_eq!((r["next_touch_due"].clone(), r["touch_overdue"].clone()), (Value::Null, json!(false)));
    // Another workspace's overdue creators do not count.
    let (beta, bp) = app.api_in_new_workspace("Beta").await;
    let theirs = owned(&beta, "Eve Stone", &user_id(&app, &bp).await, 1).await;
    log(&beta, &theirs, json!({"channel": "dm", "direction": "outbound", "occurred_at": ago(Duration::days(9))})).await;
    let b = app.signed_in(&p).await;
    let (_, page) = b.get("/").await;
    let touches = section(&page, "touches");
    assert!(touches.contains("The whole team has 1 overdue") && !touches.contains("Cleo Park"), "{touches}");
}

async fn the_activity_feed_is_paged_newest_first_with_creator_names(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    for body in ["one", "two", "three", "four"] {
        api.post(&format!("/creators/{ana}/notes"), json!({"body": body})).await;
    }
    let mut actions = vec![];
    let mut path = "/activity?limit=2".to_string();
    loop {
        let (s, page) = api.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for i in page["items"].as_array().unwrap() {
            assert_eq!((i["creator_id"].as_str(), i["creator_name"].as_str()), (Some(ana.as_str()), Some("Ana Lima")));
            actions.push(i["action"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/activity?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(actions, ["note.added", "note.added", "note.added", "note.added", "creator.created"]);
    let (s, v) = api.get("/activity?cursor=nope").await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")));
}

async fn the_activity_feed_filters_by_actor_and_action(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    log(&api, &ana, json!({"channel": "call", "direction": "outbound"})).await;
    api.post(&format!("/creators/{ana}/tasks"), json!({"title": "Follow up"})).await;
    let (_, page) = api.get("/activity?action=interaction.").await;
    let actions: Vec<&str> = page["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["interaction.logged"]);
    let (s, v) = api.get("/activity?actor=me").await;
    assert_eq!(
        (s, v["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("actor")),
        "a key is not a person"
    );
    let (s, _) = api.get("/activity?action=DROP%20TABLE").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // In the UI, "only what I did" leaves out what the API key did.
    let b = app.signed_in(&p).await;
    b.submit(&format!("/creators/{ana}/notes"), &[("body", "Mine")]).await;
    let (s, page) = b.get("/activity?actor=me").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("added a note") && !page.contains("logged an interaction") && !page.contains("added a task"));
}

async fn the_activity_feed_shows_only_the_callers_workspace(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (beta, bp) = app.api_in_new_workspace("Beta").await;
    api.creator(json!({"display_name": "Ana Lima"})).await;
    beta.creator(json!({"display_name": "Bea Costa"})).await;
    let (_, page) = api.get("/activity").await;
    let names: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|i| i["creator_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ana Lima"]);
    // Another workspace's cursor leads nowhere.
    let (_, theirs) = beta.get("/activity").await;
    let (s, page) = api.get(&format!("/activity?cursor={}", theirs["items"][0]["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page["items"].as_array().unwrap().iter().all(|i| i["creator_name"] != "Bea Costa"));
    let b = app.signed_in(&bp).await;
    let (_, html) = b.get("/activity").await;
    assert!(html.contains("Bea Costa") && !html.contains("Ana Lima"));
    let (_, home) = b.get("/").await;
    assert!(home.contains("Bea Costa") && !home.contains("Ana Lima"));
}

async fn the_activity_page_lists_events_with_links_and_filters(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    for i in 0..55 {
        api.post(&format!("/creators/{ana}/notes"), json!({"body": format!("note {i}")})).await;
    }
    log(&api, &ana, json!({"channel": "meeting", "direction": "inbound"})).await;
    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/activity").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("logged an interaction") && page.contains(&format!("href=\"/creators/{ana}\">Ana Lima</a>")));
    let older = page.split("href=\"/activity?cursor=").nth(1).expect("an Older link").split('"').next().unwrap();
    let (s, page2) = b.get(&format!("/activity?cursor={}", older.replace("&amp;", "&"))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page2.contains("created this creator") && !page2.contains("logged an interaction"));
    let (_, filtered) = b.get("/activity?action=interaction.").await;
    assert!(filtered.contains("logged an interaction") && !filtered.contains("added a note"));
    assert!(filtered.contains("<option value=\"interaction.\" selected>"));
    let (s, bad) = b.get("/activity?action=%25").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("action must be the start of an action name"));
}
