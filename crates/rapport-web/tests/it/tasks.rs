//! Tasks on creators, through the API and the creator page: a title, an optional due date
//! and an assignee from the workspace; done and reopen on the timeline; a member's open,
//! done and overdue lists; viewers, read keys, CSRF and tenant isolation.

use crate::harness::{Api, Browser, Person, TestApp, csrf_in};
use rapport_app::Ctx;
use rapport_core::actor::Actor;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

crate::db_tests!(
    a_task_is_added_to_a_creator_and_assigned_to_its_owner,
    a_task_on_a_creator_without_an_owner_through_an_api_key_is_unassigned,
    a_bad_task_is_refused_naming_each_field,
    an_assignee_from_another_workspace_is_refused,
    marking_a_task_done_and_reopening_it_are_on_the_timeline,
    a_task_is_edited_and_deleted,
    a_members_tasks_are_listed_as_open_done_or_overdue,
    me_needs_a_person_and_the_status_must_be_known,
    a_read_key_cannot_change_tasks,
    task_api_routes_answer_404_for_another_workspaces_creators_and_tasks,
    the_openapi_document_describes_tasks,
    the_creator_page_adds_a_task_assigned_to_its_author,
    the_creator_page_marks_a_task_done_and_reopens_it,
    a_bad_task_form_is_shown_again_with_inline_errors_and_what_was_typed,
    the_task_forms_need_the_csrf_token,
    viewers_see_tasks_but_cannot_add_or_finish_them,
    task_pages_answer_404_for_another_workspaces_creators_and_tasks,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn fields(v: &Value) -> Vec<&str> {
    v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect()
}

fn day(offset: i64) -> String {
    (OffsetDateTime::now_utc().date() + Duration::days(offset)).to_string()
}

/// The user id (`usr_…`) of a person.
async fn user_id(app: &TestApp, p: &Person) -> String {
    let ctx = Ctx::system(p.workspace, Actor::System, "test");
    let members = rapport_app::members::list(&app.app, &ctx).await.unwrap();
    members.into_iter().find(|m| m.email == p.email).unwrap().user_id.to_string()
}

async fn task(api: &Api, creator: &str, body: Value) -> Value {
    let (s, v) = api.post(&format!("/creators/{creator}/tasks"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn titles(api: &Api, query: &str) -> Vec<String> {
    let (s, v) = api.get(&format!("/tasks?{query}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
}

/// An owner with an API key and a signed-in browser, and a creator they own.
async fn owner_with_creator(app: &TestApp) -> (Api, Browser, Person, String) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let me = user_id(app, &p).await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima", "owner_id": me})).await);
    let b = app.signed_in(&p).await;
    (api, b, p, ana)
}

async fn a_task_is_added_to_a_creator_and_assigned_to_its_owner(app: TestApp) {
    let (api, _, p, ana) = owner_with_creator(&app).await;
    let t = task(&api, &ana, json!({"title": "  Send the brief ", "due_on": "2030-01-15"})).await;
    assert_eq!(t["title"], "Send the brief");
    assert_eq!(t["due_on"], "2030-01-15");
    assert_eq!(t["assignee_id"].as_str(), Some(user_id(&app, &p).await.as_str()));
    assert_eq!((t["done"].as_bool(), t["overdue"].as_bool()), (Some(false), Some(false)));
    let (s, list) = api.get(&format!("/creators/{ana}/tasks")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list[0]["id"], t["id"]);
}

async fn a_task_on_a_creator_without_an_owner_through_an_api_key_is_unassigned(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let t = task(&api, &ana, json!({"title": "Call"})).await;
    assert_eq!((t["assignee_id"].clone(), t["due_on"].clone()), (Value::Null, Value::Null));
}

async fn a_bad_task_is_refused_naming_each_field(app: TestApp) {
    let (api, _, _, ana) = owner_with_creator(&app).await;
    let long = "x".repeat(201);
    let (s, v) = api.post(&format!("/creators/{ana}/tasks"), json!({"title": long, "due_on": "31/01/2030"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["title", "due_on"]);
    let (s, v) = api.post(&format!("/creators/{ana}/tasks"), json!({"title": " "})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["title"]));
    let (s, v) = api.post(&format!("/creators/{ana}/tasks"), json!({"title": "x", "colour": "red"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["colour"]));
    assert_eq!(api.get(&format!("/creators/{ana}/tasks")).await.1, json!([]));
}

async fn an_assignee_from_another_workspace_is_refused(app: TestApp) {
    let (api, _, _, ana) = owner_with_creator(&app).await;
    let stranger = app.workspace("Beta", Role::Owner).await;
    let theirs = user_id(&app, &stranger).await;
    let (s, v) = api.post(&format!("/creators/{ana}/tasks"), json!({"title": "x", "assignee_id": theirs})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["assignee_id"]));
    let t = task(&api, &ana, json!({"title": "x"})).await;
    let (s, v) = api.patch(&format!("/tasks/{}", id(&t)), json!({"assignee_id": theirs})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["assignee_id"]));
}

async fn marking_a_task_done_and_reopening_it_are_on_the_timeline(app: TestApp) {
    let (api, _, _, ana) = owner_with_creator(&app).await;
    let t = task(&api, &ana, json!({"title": "Send the brief"})).await;
    let (s, done) = api.patch(&format!("/tasks/{}", id(&t)), json!({"done": true})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert!(done["done"].as_bool().unwrap() && done["done_at"].is_string());
    let (_, open) = api.patch(&format!("/tasks/{}", id(&t)), json!({"done": false})).await;
    assert_eq!((open["done"].as_bool(), open["done_at"].clone()), (Some(false), Value::Null));
    let (_, tl) = api.get(&format!("/creators/{ana}/timeline")).await;
    let actions: Vec<&str> = tl["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions[..3], ["task.reopened", "task.done", "task.created"]);
    assert_eq!(tl["items"][1]["changes"][0]["after"], "Send the brief");
}

async fn a_task_is_edited_and_deleted(app: TestApp) {
    let (api, _, _, ana) = owner_with_creator(&app).await;
    let t = task(&api, &ana, json!({"title": "Call", "due_on": "2030-01-15"})).await;
    let (s, v) = api.patch(&format!("/tasks/{}", id(&t)), json!({"title": "Call back", "due_on": null})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["title"].as_str(), v["due_on"].clone()), (Some("Call back"), Value::Null));
    assert_eq!(v["assignee_id"], t["assignee_id"], "an absent field is unchanged");
    assert_eq!(api.delete(&format!("/tasks/{}", id(&t))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.patch(&format!("/tasks/{}", id(&t)), json!({"done": true})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&format!("/creators/{ana}/tasks")).await.1, json!([]));
}

async fn a_members_tasks_are_listed_as_open_done_or_overdue(app: TestApp) {
    let (api, _, p, ana) = owner_with_creator(&app).await;
    let me = user_id(&app, &p).await;
    task(&api, &ana, json!({"title": "Later", "due_on": day(3)})).await;
    task(&api, &ana, json!({"title": "Late", "due_on": day(-2)})).await;
    task(&api, &ana, json!({"title": "Today", "due_on": day(0)})).await;
    let done = task(&api, &ana, json!({"title": "Finished", "due_on": day(-5)})).await;
    api.patch(&format!("/tasks/{}", id(&done)), json!({"done": true})).await;
    let other = app.person_in("Acme", "other@example.com", Role::Member).await;
    let other_id = user_id(&app, &other).await;
    task(&api, &ana, json!({"title": "Theirs", "due_on": day(-1), "assignee_id": other_id})).await;
    assert_eq!(titles(&api, &format!("assignee={me}")).await, ["Late", "Today", "Later"]);
    assert_eq!(titles(&api, &format!("assignee={me}&status=overdue")).await, ["Late"]);
    assert_eq!(titles(&api, &format!("assignee={me}&status=done")).await, ["Finished"]);
    assert_eq!(titles(&api, &format!("assignee={other_id}&status=overdue")).await, ["Theirs"]);
}

async fn me_needs_a_person_and_the_status_must_be_known(app: TestApp) {
    let (api, _, _, _) = owner_with_creator(&app).await;
    let (s, v) = api.get("/tasks?assignee=me&status=someday").await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status", "assignee"]));
    let stranger = app.workspace("Beta", Role::Owner).await;
    let (s, v) = api.get(&format!("/tasks?assignee={}", user_id(&app, &stranger).await)).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["assignee"]));
}

async fn a_read_key_cannot_change_tasks(app: TestApp) {
    let (api, _, p, ana) = owner_with_creator(&app).await;
    let t = task(&api, &ana, json!({"title": "Call"})).await;
    let read = app.api(&app.key(p.workspace, "read").await);
    assert_eq!(read.post(&format!("/creators/{ana}/tasks"), json!({"title": "x"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.patch(&format!("/tasks/{}", id(&t)), json!({"done": true})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.delete(&format!("/tasks/{}", id(&t))).await.0, StatusCode::FORBIDDEN);
    assert_eq!(read.get(&format!("/creators/{ana}/tasks")).await.1[0]["done"], false, "nothing changed");
}

async fn task_api_routes_answer_404_for_another_workspaces_creators_and_tasks(app: TestApp) {
    let (a, _, _, ana) = owner_with_creator(&app).await;
    let t = id(&task(&a, &ana, json!({"title": "Alpha's task"})).await);
    let (b, stranger) = app.api_in_new_workspace("Beta").await;
    assert_eq!(b.get(&format!("/creators/{ana}/tasks")).await.0, StatusCode::NOT_FOUND);
    let (s, v) = b.post(&format!("/creators/{ana}/tasks"), json!({"title": ""})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "whatever the body");
    assert_eq!(b.patch(&format!("/tasks/{t}"), json!({"done": true})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.delete(&format!("/tasks/{t}")).await.0, StatusCode::NOT_FOUND);
    let theirs = user_id(&app, &stranger).await;
    assert_eq!(titles(&b, &format!("assignee={theirs}")).await, Vec::<String>::new());
    assert_eq!(a.get(&format!("/creators/{ana}/tasks")).await.1[0]["done"], false, "nothing changed");
}

async fn the_openapi_document_describes_tasks(app: TestApp) {
    let v: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(v["paths"]["/creators/{id}/tasks"]["post"].is_object());
    assert!(v["paths"]["/tasks"]["get"].is_object());
    assert!(v["paths"]["/tasks/{task}"]["patch"].is_object() && v["paths"]["/tasks/{task}"]["delete"].is_object());
    assert!(v["components"]["schemas"]["TaskView"].is_object());
}

async fn the_creator_page_adds_a_task_assigned_to_its_author(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = id(&api.creator(json!({"display_name": "Ana Lima"})).await);
    let member = app.person_in("Acme", "member@example.com", Role::Member).await;
    let b = app.signed_in(&member).await;
    let form = [("title", "Send the brief"), ("due_on", "2030-01-15"), ("assignee_id", "")];
    let (s, location) = b.submit(&format!("/creators/{ana}/tasks"), &form).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, format!("/creators/{ana}#tasks").as_str()));
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains("Task added.") && page.contains("Send the brief") && page.contains("Due 2030-01-15"));
    let (_, list) = api.get(&format!("/creators/{ana}/tasks")).await;
    assert_eq!(list[0]["assignee_id"].as_str(), Some(user_id(&app, &member).await.as_str()));
}

async fn the_creator_page_marks_a_task_done_and_reopens_it(app: TestApp) {
    let (api, b, _, ana) = owner_with_creator(&app).await;
    let t = id(&task(&api, &ana, json!({"title": "Call"})).await);
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains(&format!("action=\"/tasks/{t}/done\"")));
    let (s, _) = b.submit(&format!("/tasks/{t}/done"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(api.get(&format!("/creators/{ana}/tasks")).await.1[0]["done"], true);
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains("Task done.") && page.contains(&format!("action=\"/tasks/{t}/reopen\"")));
    b.submit(&format!("/tasks/{t}/reopen"), &[]).await;
    assert_eq!(api.get(&format!("/creators/{ana}/tasks")).await.1[0]["done"], false);
}

async fn a_bad_task_form_is_shown_again_with_inline_errors_and_what_was_typed(app: TestApp) {
    let (api, b, _, ana) = owner_with_creator(&app).await;
    let long = "y".repeat(201);
    let (s, page) = b.submit(&format!("/creators/{ana}/tasks"), &[("title", &long), ("due_on", "soon")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Title must be at most 200 characters"), "{page}");
    assert!(page.contains("Due date must be a date such as"));
    assert!(page.contains(&format!("value=\"{long}\"")) && page.contains("value=\"soon\""), "what was typed stays");
    assert_eq!(api.get(&format!("/creators/{ana}/tasks")).await.1, json!([]));
}

async fn the_task_forms_need_the_csrf_token(app: TestApp) {
    let (api, b, _, ana) = owner_with_creator(&app).await;
    let t = id(&task(&api, &ana, json!({"title": "Call"})).await);
    assert_eq!(b.post(&format!("/creators/{ana}/tasks"), &[("title", "x")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/tasks/{t}/done"), &[("_csrf", "forged")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/tasks/{t}/delete"), &[]).await.0, StatusCode::FORBIDDEN);
    let (_, list) = api.get(&format!("/creators/{ana}/tasks")).await;
    assert_eq!((list.as_array().unwrap().len(), list[0]["done"].as_bool()), (1, Some(false)));
}

async fn viewers_see_tasks_but_cannot_add_or_finish_them(app: TestApp) {
    let (api, _, _, ana) = owner_with_creator(&app).await;
    let t = id(&task(&api, &ana, json!({"title": "Call"})).await);
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let b = app.signed_in(&viewer).await;
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains("Call") && !page.contains(&format!("/tasks/{t}/done")) && !page.contains("Add task"));
    let csrf = csrf_in(&page);
    let (s, _) = b.post(&format!("/creators/{ana}/tasks"), &[("_csrf", &csrf), ("title", "x")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/tasks/{t}/done"), &[("_csrf", &csrf)]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.get(&format!("/creators/{ana}/tasks")).await.1[0]["done"], false);
}

async fn task_pages_answer_404_for_another_workspaces_creators_and_tasks(app: TestApp) {
    let (api, _, _, ana) = owner_with_creator(&app).await;
    let t = id(&task(&api, &ana, json!({"title": "Call"})).await);
    let stranger = app.workspace("Beta", Role::Owner).await;
    let b = app.signed_in(&stranger).await;
    assert_eq!(b.submit(&format!("/creators/{ana}/tasks"), &[("title", "x")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/tasks/{t}/done"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/tasks/{t}/delete"), &[]).await.0, StatusCode::NOT_FOUND);
    let (_, list) = api.get(&format!("/creators/{ana}/tasks")).await;
    assert_eq!((list.as_array().unwrap().len(), list[0]["done"].as_bool()), (1, Some(false)));
}
