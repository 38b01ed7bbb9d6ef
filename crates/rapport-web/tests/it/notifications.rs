//! Notifications: a new draft tells the collaboration's owner, a decision tells the team
//! but not the decider, an email goes to members through the outbox when SMTP is set up
//! (even to a suppressed address), the periodic scan tells about overdue drafts and
//! expiring open offers once however often it runs, each person reads and marks only their
//! own in their workspace, and the page lists them and marks them read.

use crate::campaigns::{id, user_id};
use crate::deliverables::{Setup, all_ticked, reel, setup, submit};
use crate::email::configure;
use crate::harness::{Api, Person, TestApp};
use crate::smtp_server::SmtpServer;
use rapport_app::notifications::events::run_due;
use rapport_app::{Ctx, Scope};
use rapport_core::actor::Actor;
use rapport_core::ids::UserId;
use rapport_core::reviews::DecisionInput;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

crate::db_tests!(
    a_submission_notifies_the_collaboration_owner_in_app,
    a_decision_notifies_the_team_but_not_the_decider,
    members_get_an_email_through_the_outbox_when_smtp_is_configured,
    the_overdue_scan_notifies_once_even_when_run_twice,
    an_open_offer_expiring_within_48_hours_notifies_once,
    notifications_are_per_person_and_per_workspace,
    a_key_created_by_no_member_cannot_read_notifications,
    the_page_lists_notifications_and_marks_them_read,
);

/// A member of the setup's workspace, with their id and an API key acting for them.
struct Member {
    person: Person,
    id: String,
    api: Api,
}

async fn member(app: &TestApp, workspace: &str, email: &str, role: Role) -> Member {
    let person = app.person_in(workspace, email, role).await;
    let id = user_id(app, &person).await;
    let actor = Actor::User(id.parse::<UserId>().unwrap()).to_string();
    let key = rapport_app::api_keys::create_unchecked(&app.app, person.workspace, &actor, "mine", "write", None)
        .await
        .unwrap()
        .1;
    Member { person, id, api: app.api(&key) }
}

async fn mine(m: &Member) -> Vec<Value> {
    let (s, v) = m.api.get("/notifications").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

fn kinds(list: &[Value]) -> Vec<&str> {
    list.iter().map(|n| n["kind"].as_str().unwrap()).collect()
}

async fn set_owner(s: &Setup, owner: &str) {
    let (st, v) = s.api.patch(&format!("/collaborations/{}", s.collab), json!({"owner_id": owner})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

async fn set_team(s: &Setup, team: &[&str]) {
    let (st, v) = s.api.patch(&format!("/campaigns/{}", s.campaign), json!({"team_member_ids": team})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

fn caption() -> Value {
    json!({"caption": "Sunny days #ad #SummerGlow @acme"})
}

async fn a_submission_notifies_the_collaboration_owner_in_app(app: TestApp) {
    let s = setup(&app).await;
    let lena = member(&app, "Acme", "lena@acme.example", Role::Manager).await;
    let owner = member(&app, "Acme", "olga@acme.example", Role::Owner).await;
    set_owner(&s, &lena.id).await;
    let dl = reel(&s).await;
    let sub = submit(&s.api, &dl, caption()).await;
    let list = mine(&lena).await;
    assert_eq!(kinds(&list), ["submission"]);
    let n = &list[0];
    assert!(n["id"].as_str().unwrap().starts_with("nf_"));
    assert_eq!(n["link"], format!("/collaborations/{}", s.collab));
    assert_eq!(n["read"], false);
    assert!(n["subject"].as_str().unwrap().contains("Ana Lima"), "{n}");
    assert!(n["body"].as_str().unwrap().contains(&format!("version {}", sub["version"])), "{n}");
    assert_eq!(
        (n["email_status"].as_str(), n["email_note"].as_str()),
        (Some("skipped"), Some("the workspace has no SMTP server"))
    );
    assert!(mine(&owner).await.is_empty(), "owners hear only when the deal has no team");
}

async fn a_decision_notifies_the_team_but_not_the_decider(app: TestApp) {
    let s = setup(&app).await;
    let lena = member(&app, "Acme", "lena@acme.example", Role::Manager).await;
    let max = member(&app, "Acme", "max@acme.example", Role::Member).await;
    set_team(&s, &[&lena.id, &max.id]).await;
    let dl = reel(&s).await;
    let sub = submit(&s.api, &dl, caption()).await;
    let ctx = Ctx {
        workspace_id: lena.person.workspace,
        actor: Actor::User(lena.id.parse().unwrap()),
        actor_label: "Lena".into(),
        role: Role::Manager,
        scope: Scope::Write,
    };
    let input = DecisionInput { decision: Some("approved".into()), checked: Some(vec![]), ..Default::default() };
    let checked: Vec<usize> = serde_json::from_value(all_ticked(&sub)).unwrap();
    let input = DecisionInput { checked: Some(checked), ..input };
    rapport_app::reviews::decide(&app.app, &ctx, id(&sub).parse().unwrap(), input).await.unwrap();
    let theirs = mine(&max).await;
    assert_eq!(kinds(&theirs), ["decision", "submission"]);
    assert!(theirs[0]["body"].as_str().unwrap().starts_with("Lena on version 1"), "{}", theirs[0]);
    assert_eq!(kinds(&mine(&lena).await), ["submission"], "the decider is not told of their own decision");
}

async fn members_get_an_email_through_the_outbox_when_smtp_is_configured(app: TestApp) {
    let smtp = SmtpServer::start().await;
    let s = setup(&app).await;
    configure(&s.api, smtp.port, 100).await;
    let lena = member(&app, "Acme", "lena@acme.example", Role::Manager).await;
    set_owner(&s, &lena.id).await;
    // Suppression is for outreach to creators: a member's system email still goes.
    let (st, v) = s.api.post("/suppressions", json!({"email": "lena@acme.example"})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let dl = reel(&s).await;
    submit(&s.api, &dl, caption()).await;
    let n = &mine(&lena).await[0];
    assert_eq!(n["email_status"], "queued");
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].to, ["lena@acme.example"]);
    assert_eq!(got[0].from, "team@brand.example");
    assert_eq!(got[0].header("Subject").as_deref(), n["subject"].as_str());
    assert!(got[0].data.contains(&format!("/collaborations/{}", s.collab)));
    assert!(got[0].header("List-Unsubscribe").is_none(), "a system email carries no unsubscribe link");
}

async fn the_overdue_scan_notifies_once_even_when_run_twice(app: TestApp) {
    let s = setup(&app).await;
    let lena = member(&app, "Acme", "lena@acme.example", Role::Manager).await;
    set_owner(&s, &lena.id).await;
    reel(&s).await; // draft due 2030-05-01
    assert_eq!(run_due(&app.app, datetime!(2030-05-01 12:00 UTC)).await.unwrap(), 0, "due today is not overdue");
    assert_eq!(run_due(&app.app, datetime!(2030-05-02 08:00 UTC)).await.unwrap(), 1);
    assert_eq!(run_due(&app.app, datetime!(2030-05-02 09:00 UTC)).await.unwrap(), 0);
    let list = mine(&lena).await;
    assert_eq!(kinds(&list), ["overdue_draft"]);
    assert!(list[0]["body"].as_str().unwrap().contains("was due on 2030-05-01"), "{}", list[0]);
}

async fn an_open_offer_expiring_within_48_hours_notifies_once(app: TestApp) {
    let s = setup(&app).await;
    let lena = member(&app, "Acme", "lena@acme.example", Role::Manager).await;
    set_owner(&s, &lena.id).await;
    let offer = |amount: i64| json!({"direction": "brand_to_creator", "amount_minor": amount, "expires_at": "2030-06-01T12:00:00Z"});
    let (st, v) = s.api.post(&format!("/collaborations/{}/offers", s.collab), offer(100_000)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // The counter-offer closes the first one: only the open one is announced.
    let (st, v) = s.api.post(&format!("/collaborations/{}/offers", s.collab), offer(120_000)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(run_due(&app.app, datetime!(2030-05-30 11:00 UTC)).await.unwrap(), 0, "more than 48 h away");
    assert_eq!(run_due(&app.app, datetime!(2030-05-30 13:00 UTC)).await.unwrap(), 1);
    assert_eq!(run_due(&app.app, datetime!(2030-05-31 13:00 UTC)).await.unwrap(), 0);
    assert_eq!(run_due(&app.app, datetime!(2030-06-01 13:00 UTC)).await.unwrap(), 0, "expired");
    let list = mine(&lena).await;
    assert_eq!(kinds(&list), ["offer_expiring"]);
    assert!(list[0]["body"].as_str().unwrap().contains("1200.00 EUR"), "{}", list[0]);
}

async fn notifications_are_per_person_and_per_workspace(app: TestApp) {
    let s = setup(&app).await;
    let lena = member(&app, "Acme", "lena@acme.example", Role::Manager).await;
    let max = member(&app, "Acme", "max@acme.example", Role::Manager).await;
    let other = member(&app, "Globex", "gina@globex.example", Role::Owner).await;
    set_owner(&s, &lena.id).await;
    submit(&s.api, &reel(&s).await, caption()).await;
    let nf = id(&mine(&lena).await[0]);
    assert!(mine(&max).await.is_empty());
    assert!(mine(&other).await.is_empty());
    for api in [&max.api, &other.api] {
        let (st, _) = api.post(&format!("/notifications/{nf}/read"), json!({})).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, v) = api.post("/notifications/read-all", json!({})).await;
        assert_eq!((st, v["marked"].as_i64()), (StatusCode::OK, Some(0)));
    }
    assert_eq!(mine(&lena).await[0]["read"], false);
    let (st, _) = lena.api.post("/notifications/nf_nonsense/read", json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = lena.api.post(&format!("/notifications/{nf}/read"), json!({})).await;
    assert_eq!((st, v["read"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    let (_, unread) = lena.api.get("/notifications?unread=true").await;
    assert_eq!(unread, json!([]));
}

async fn a_key_created_by_no_member_cannot_read_notifications(app: TestApp) {
    let s = setup(&app).await;
    let (st, v) = s.api.get("/notifications").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, _) = s.api.post("/notifications/read-all", json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, doc) = s.api.get("/openapi.json").await;
    assert!(doc["paths"]["/notifications/{id}/read"]["post"].is_object());
}

async fn the_page_lists_notifications_and_marks_them_read(app: TestApp) {
    let s = setup(&app).await;
    let lena = member(&app, "Acme", "lena@acme.example", Role::Manager).await;
    set_owner(&s, &lena.id).await;
    let dl = reel(&s).await;
    submit(&s.api, &dl, caption()).await;
    reel(&s).await; // a second one, still waiting for its draft
    run_due(&app.app, datetime!(2030-05-02 08:00 UTC)).await.unwrap();
    let nf = id(&mine(&lena).await[0]);
    let b = app.signed_in(&lena.person).await;
    let (st, page) = b.get("/notifications").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("aria-label=\"2 unread\""), "the navigation badge counts unread");
    assert!(page.contains(&format!("href=\"/collaborations/{}\"", s.collab)));
    assert!(page.contains(&format!("action=\"/notifications/{nf}/read\"")));
    let (st, to) = b.submit(&format!("/notifications/{nf}/read"), &[]).await;
    assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, "/notifications"));
    let (_, page) = b.get("/notifications").await;
    assert!(page.contains("aria-label=\"1 unread\""));
    assert!(!page.contains(&format!("action=\"/notifications/{nf}/read\"")));
    let (st, _) = b.post("/notifications/read-all", &[("_csrf", "forged")]).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the form needs the session's CSRF token");
    let (st, _) = b.submit("/notifications/read-all", &[]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/notifications").await;
    assert!(!page.contains("unread\""), "no badge once everything is read");
    assert!(mine(&lena).await.iter().all(|n| n["read"] == true));
}
