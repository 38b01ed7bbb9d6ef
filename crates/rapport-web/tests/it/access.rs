//! Who may do what: tenant isolation on every creator route, API key scopes and
//! revocation, roles, CSRF, login rate limiting, invitations, workspace switching.

use crate::harness::{Person, TestApp};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::json;

crate::db_tests!(
    every_creator_route_answers_404_for_another_workspaces_ids,
    a_read_only_key_reads_but_cannot_write,
    a_revoked_or_unknown_key_is_refused,
    an_expired_key_is_refused,
    a_viewer_cannot_write,
    a_form_without_the_right_csrf_token_is_rejected,
    repeated_failed_logins_are_rate_limited,
    an_invitation_link_makes_a_member_once,
    a_person_in_two_workspaces_switches_between_them,
    removing_a_member_ends_their_session,
    the_last_owner_cannot_be_demoted,
    an_expired_invitation_link_no_longer_works,
);

async fn an_expired_invitation_link_no_longer_works(app: TestApp) {
    let admin = app.workspace("Acme", Role::Owner).await;
    // The same app with invitations that expire at once.
    let mut quick = app.app.clone();
    quick.config.invitation_ttl = time::Duration::seconds(-1);
    let ctx = rapport_app::Ctx {
        workspace_id: admin.workspace,
        actor: rapport_core::actor::Actor::User(rapport_core::ids::UserId::new()),
        actor_label: "Admin".into(),
        role: Role::Owner,
        scope: rapport_app::Scope::Write,
    };
    let inv = rapport_app::members::invite(&quick, &ctx, "late@example.com", "member").await.unwrap();
    let guest = app.browser().await;
    let (s, page) = guest.get(&format!("/invite/{}", inv.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(page.contains("expired"));
    assert!(rapport_app::members::accept(&app.app, &inv.token, "Late", "a long enough password").await.is_err());
}

async fn every_creator_route_answers_404_for_another_workspaces_ids(app: TestApp) {
    let (a, _) = app.api_in_new_workspace("Alpha").await;
    let (b, b_person) = app.api_in_new_workspace("Beta").await;
    let c = a.creator(json!({"display_name": "Alpha's creator", "social_accounts": [{"platform": "instagram", "handle": "@alpha"}]})).await;
    let id = c["id"].as_str().unwrap();
    let account = c["social_accounts"][0]["id"].as_str().unwrap();
    let (_, note) = a.post(&format!("/creators/{id}/notes"), json!({"body": "secret"})).await;
    let note = note["id"].as_str().unwrap();
    let routes: Vec<(&str, String)> = vec![
        ("GET", format!("/creators/{id}")),
        ("PATCH", format!("/creators/{id}")),
        ("DELETE", format!("/creators/{id}")),
        ("POST", format!("/creators/{id}/restore")),
        ("GET", format!("/creators/{id}/timeline")),
        ("GET", format!("/creators/{id}/accounts")),
        ("POST", format!("/creators/{id}/accounts")),
        ("PATCH", format!("/creators/{id}/accounts/{account}")),
        ("DELETE", format!("/creators/{id}/accounts/{account}")),
        ("GET", format!("/creators/{id}/accounts/{account}/snapshots")),
        ("GET", format!("/creators/{id}/notes")),
        ("POST", format!("/creators/{id}/notes")),
        ("DELETE", format!("/creators/{id}/notes/{note}")),
    ];
    for (method, path) in &routes {
        let (s, v) = match *method {
            "GET" => b.get(path).await,
            "PATCH" if path.contains("/accounts/") => b.patch(path, json!({"followers": 1})).await,
            "PATCH" => b.patch(path, json!({"city": "X"})).await,
            "DELETE" => b.delete(path).await,
            _ if path.ends_with("/accounts") => b.post(path, json!({"platform": "tiktok", "handle": "@x"})).await,
            _ if path.ends_with("/notes") => b.post(path, json!({"body": "x"})).await,
            _ => b.post(path, json!({})).await,
        };
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}: {v}");
        assert_eq!(v["code"], "not_found");
    }
    let (_, list) = b.get("/creators").await;
    assert_eq!(list["total"], 0);
    let (_, tags) = b.get("/tags").await;
    assert_eq!(tags, json!([]));
    // The same holds for the pages.
    let browser = app.signed_in(&b_person).await;
    for path in [format!("/creators/{id}"), format!("/creators/{id}/edit")] {
        assert_eq!(browser.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        format!("/creators/{id}"),
        format!("/creators/{id}/delete"),
        format!("/creators/{id}/restore"),
        format!("/creators/{id}/accounts"),
        format!("/creators/{id}/accounts/{account}/delete"),
        format!("/creators/{id}/notes"),
        format!("/creators/{id}/notes/{note}/delete"),
    ] {
        let (s, _) = browser
            .submit(&path, &[("display_name", "Hijack"), ("body", "x"), ("platform", "x"), ("handle", "h")])
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "POST {path}");
    }
    // And nothing changed in Alpha.
    let (_, c2) = a.get(&format!("/creators/{id}")).await;
    assert_eq!(c2["display_name"], "Alpha's creator");
    assert!(c2["deleted_at"].is_null());
    assert_eq!(c2["social_accounts"].as_array().unwrap().len(), 1);
    let (_, notes) = a.get(&format!("/creators/{id}/notes")).await;
    assert_eq!(notes.as_array().unwrap().len(), 1);
}

async fn a_read_only_key_reads_but_cannot_write(app: TestApp) {
    let (writer, p) = app.api_in_new_workspace("Acme").await;
    let c = writer.creator(json!({"display_name": "Lena"})).await;
    let reader = app.api(&app.key(p.workspace, "read").await);
    let (s, v) = reader.get("/creators").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["total"], 1);
    let (s, v) = reader.post("/creators", json!({"display_name": "Nope"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(v["code"], "forbidden");
    assert!(v["message"].as_str().unwrap().contains("read-only"));
    let (s, _) = reader.delete(&format!("/creators/{}", c["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn a_revoked_or_unknown_key_is_refused(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    assert_eq!(api.get("/creators").await.0, StatusCode::OK);
    // Revoke through the settings page, as an admin would.
    let browser = app.signed_in(&p).await;
    let (_, page) = browser.get("/settings/api-keys").await;
    let start = page.find("/settings/api-keys/key_").unwrap() + "/settings/api-keys/".len();
    let key_id = page[start..].split('/').next().unwrap().to_string();
    let (s, _) = browser.submit(&format!("/settings/api-keys/{key_id}/revoke"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, v) = api.get("/creators").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["code"], "unauthorized");
    for bad in ["rap_nothing_here", "garbage", ""] {
        assert_eq!(app.api(bad).get("/creators").await.0, StatusCode::UNAUTHORIZED, "{bad}");
    }
    let r = reqwest::get(app.url("/api/v1/creators")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
}

/// Stores a write key for the workspace that expires at `expires_at`, and returns its secret.
async fn key_expiring(app: &TestApp, p: &Person, name: &str, expires_at: time::OffsetDateTime) -> String {
    let prefix = format!("rap_{name}");
    let secret = format!("{prefix}_0123456789abcdefghij");
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(2);
    let row = rapport_store::api_keys::ApiKeyRow {
        id: uuid::Uuid::new_v4(),
        workspace_id: p.workspace.0,
        name: name.into(),
        prefix,
        scope: "write".into(),
        created_by: "system".into(),
        created_at: t,
        expires_at: Some(expires_at),
        revoked_at: None,
        last_used_at: None,
    };
    let mut tx = app.app.db.begin().await.unwrap();
    rapport_store::api_keys::insert(&mut tx.conn(), &row, rapport_app::tokens::hash(&secret)).await.unwrap();
    tx.commit().await.unwrap();
    secret
}

/// A key past its expiry is refused like a revoked one — on a listing (which reads the key
/// together with the workspace's settings) as on every other route — and one still within
/// it is not.
async fn an_expired_key_is_refused(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let now = time::OffsetDateTime::now_utc();
    let expired = app.api(&key_expiring(&app, &p, "expired", now - time::Duration::minutes(1)).await);
    let current = app.api(&key_expiring(&app, &p, "current", now + time::Duration::hours(1)).await);
    for path in ["/creators", "/creators?country=DE&limit=0", "/tags"] {
        let (s, v) = expired.get(path).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}: {v}");
        assert_eq!(v["code"], "unauthorized", "{path}");
        assert_eq!(current.get(path).await.0, StatusCode::OK, "{path}");
    }
    let (s, _) = expired.post("/creators", json!({"display_name": "Nope"})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn a_viewer_cannot_write(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let key = app.key(owner.workspace, "write").await;
    let c = app.api(&key).creator(json!({"display_name": "Lena"})).await;
    let id = c["id"].as_str().unwrap();
    let b = app.signed_in(&viewer).await;
    let (s, page) = b.get(&format!("/creators/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains(&format!("/creators/{id}/edit")), "viewers are not offered an edit button");
    assert_eq!(b.get("/creators/new").await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.submit("/creators", &[("display_name", "Nope")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.submit(&format!("/creators/{id}/delete"), &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.submit(&format!("/creators/{id}/notes"), &[("body", "hi")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/settings/team").await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/settings/api-keys").await.0, StatusCode::FORBIDDEN);
    let (_, list) = app.api(&key).get("/creators").await;
    assert_eq!(list["total"], 1);
}

async fn a_form_without_the_right_csrf_token_is_rejected(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&p).await;
    let (s, _) = b.post("/creators", &[("display_name", "No token")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = b.post("/creators", &[("_csrf", "forged"), ("display_name", "Wrong token")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Another session's token does not work either.
    let other = app.signed_in(&p).await;
    let foreign = other.csrf().await;
    let (s, _) = b.post("/creators", &[("_csrf", &foreign), ("display_name", "Foreign token")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The login form is protected by its double-submit cookie.
    let fresh = app.browser().await;
    let (s, _) = fresh.post("/login", &[("email", &p.email), ("password", &p.password)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let key = app.key(p.workspace, "read").await;
    let (_, list) = app.api(&key).get("/creators").await;
    assert_eq!(list["total"], 0, "nothing was created");
    let (s, _) = b.submit("/creators", &[("display_name", "With token")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

async fn repeated_failed_logins_are_rate_limited(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.browser().await;
    for _ in 0..rapport_app::auth::MAX_FAILURES_PER_ACCOUNT {
        let (s, page) = b.login(&p.email, "wrong password").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(page.contains("not correct"));
        assert!(page.contains(&p.email), "the email stays filled in");
    }
    let (s, page) = b.login(&p.email, &p.password).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(page.contains("Too many failed attempts"));
    // Someone else's failures do not shut the owner out: from another address the right
    // password signs in.
    assert!(rapport_app::auth::login(&app.app, &p.email, &p.password, Some("198.51.100.7")).await.is_ok());
    // Spread over many addresses, failures for one account still stop at a higher bound.
    for i in 0..rapport_app::auth::MAX_FAILURES_PER_ACCOUNT_ANYWHERE {
        let client = format!("203.0.113.{}", i % 200);
        let e = rapport_app::auth::login(&app.app, &p.email, "wrong password", Some(&client)).await.unwrap_err();
        assert!(matches!(e, rapport_app::AppError::Unauthorized(_)), "{e:?}");
    }
    let e = rapport_app::auth::login(&app.app, &p.email, &p.password, Some("192.0.2.99")).await.unwrap_err();
    assert!(matches!(e, rapport_app::AppError::RateLimited { .. }), "{e:?}");
    // Another account from elsewhere is not affected.
    let q = app.person_in("Acme", "second@example.com", Role::Member).await;
    assert_eq!(app.browser().await.login(&q.email, &q.password).await.0, StatusCode::SEE_OTHER);
}

fn invitation_link(page: &str) -> String {
    let start = page.find("/invite/").expect("no invitation link shown");
    page[start..].split('"').next().unwrap().to_string()
}

async fn an_invitation_link_makes_a_member_once(app: TestApp) {
    let admin = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&admin).await;
    let (s, page) = b.submit("/settings/team/invite", &[("email", "not-an-email"), ("role", "member")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("not-an-email"), "what was typed is kept");
    let (s, page) =
        b.submit("/settings/team/invite", &[("email", "New.Person@example.com"), ("role", "manager")]).await;
    assert_eq!(s, StatusCode::OK);
    let link = invitation_link(&page);
    let guest = app.browser().await;
    let (s, form) = guest.get(&link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("Join Acme"));
    let csrf = crate::harness::csrf_in(&form);
    let (s, page) = guest.post(&link, &[("_csrf", &csrf), ("name", "New Person"), ("password", "short")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("at least 10 characters") && page.contains("New Person"));
    let (_, form) = guest.get(&link).await;
    let csrf = crate::harness::csrf_in(&form);
    let (s, loc) =
        guest.post(&link, &[("_csrf", &csrf), ("name", "New Person"), ("password", "a long enough password")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/creators");
    assert_eq!(guest.get("/creators").await.0, StatusCode::OK, "signed in after accepting");
    // The link works once.
    let again = app.browser().await;
    assert_eq!(again.get(&link).await.0, StatusCode::FORBIDDEN);
    // The new member signs in with the chosen password and has the invited role.
    let member = Person {
        email: "new.person@example.com".into(),
        password: "a long enough password".into(),
        workspace: admin.workspace,
    };
    let m = app.signed_in(&member).await;
    let (_, page) = m.get("/creators").await;
    assert!(page.contains("Manager"));
    let (_, team) = b.get("/settings/team").await;
    assert!(team.contains("new.person@example.com"));
}

async fn a_person_in_two_workspaces_switches_between_them(app: TestApp) {
    let p = app.workspace("Alpha", Role::Owner).await;
    let other_owner = app.workspace("Beta", Role::Owner).await;
    // The Alpha owner is invited into Beta.
    let beta_admin = app.signed_in(&other_owner).await;
    let (_, page) = beta_admin.submit("/settings/team/invite", &[("email", &p.email), ("role", "member")]).await;
    let link = invitation_link(&page);
    let guest = app.browser().await;
    let (_, form) = guest.get(&link).await;
    assert!(form.contains("already have a Rapport account"));
    let csrf = crate::harness::csrf_in(&form);
    let (s, _) = guest.post(&link, &[("_csrf", &csrf), ("password", &p.password)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    app.api(&app.key(p.workspace, "write").await).creator(json!({"display_name": "Only in Alpha"})).await;
    app.api(&app.key(other_owner.workspace, "write").await).creator(json!({"display_name": "Only in Beta"})).await;
    let b = app.signed_in(&p).await;
    let (_, page) = b.get("/creators").await;
    assert!(page.contains("Only in Alpha") && !page.contains("Only in Beta"));
    let (s, _) = b.submit("/workspaces/switch", &[("workspace", &other_owner.workspace.to_string())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/creators").await;
    assert!(page.contains("Only in Beta") && !page.contains("Only in Alpha"));
    // A workspace the person does not belong to cannot be switched to.
    let stranger = app.workspace("Gamma", Role::Owner).await;
    let (s, _) = b.submit("/workspaces/switch", &[("workspace", &stranger.workspace.to_string())]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn removing_a_member_ends_their_session(app: TestApp) {
    let admin = app.workspace("Acme", Role::Owner).await;
    let member = app.person_in("Acme", "member@example.com", Role::Member).await;
    let a = app.signed_in(&admin).await;
    let m = app.signed_in(&member).await;
    assert_eq!(m.get("/creators").await.0, StatusCode::OK);
    let (_, team) = a.get("/settings/team").await;
    let marker = "member@example.com";
    let at = team.find(marker).unwrap();
    let start = team[at..].find("/settings/team/usr_").unwrap() + at + "/settings/team/".len();
    let user_id = team[start..].split('/').next().unwrap().to_string();
    let (s, _) = a.submit(&format!("/settings/team/{user_id}/role"), &[("role", "viewer")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(m.submit("/creators", &[("display_name", "x")]).await.0, StatusCode::FORBIDDEN, "now a viewer");
    let (s, _) = a.submit(&format!("/settings/team/{user_id}/remove"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, loc) = m.get("/creators").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
}

async fn the_last_owner_cannot_be_demoted(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let admin = app.person_in("Acme", "admin@example.com", Role::Admin).await;
    let a = app.signed_in(&admin).await;
    let (_, team) = a.get("/settings/team").await;
    let at = team.find(&owner.email).unwrap();
    let start = team[at..].find("/settings/team/usr_").unwrap() + at + "/settings/team/".len();
    let owner_id = team[start..].split('/').next().unwrap().to_string();
    assert_eq!(
        a.submit(&format!("/settings/team/{owner_id}/remove"), &[]).await.0,
        StatusCode::FORBIDDEN,
        "admins cannot remove owners"
    );
    let o = app.signed_in(&owner).await;
    let (s, _) = o.submit(&format!("/settings/team/{owner_id}/role"), &[("role", "admin")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, team) = o.get("/settings/team").await;
    assert!(team.contains("must keep at least one owner"));
    assert_eq!(o.get("/settings/team").await.0, StatusCode::OK, "still an owner");
}
