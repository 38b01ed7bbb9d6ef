//! The creator portal: magic links (single use, expiring, opening does not use them up,
//! the same answer for a known and an unknown address), what a signed-in creator sees and
//! does, and isolation — creator A gets 404 for every id of creator B on every portal route.

use crate::campaigns::id;
use crate::deliverables::{Setup, all_ticked, deliverable, reel, setup, submit};
use crate::harness::{Browser, TestApp, csrf_in};
use crate::smtp_server::SmtpServer;
use reqwest::StatusCode;
use serde_json::json;

crate::db_tests!(
    a_magic_link_signs_the_creator_in_once_and_opening_it_does_not_use_it_up,
    an_expired_magic_link_cannot_sign_in,
    asking_for_a_link_answers_the_same_for_known_and_unknown_addresses,
    a_signed_in_creator_sees_the_brief_acknowledges_it_and_counters_an_offer,
    a_creator_submits_drafts_and_sees_feedback_until_approval_and_publication,
    creator_a_gets_404_for_every_id_of_creator_b_on_every_portal_route,
    a_creator_in_two_workspaces_sees_each_only_through_its_own_link,
    without_a_portal_session_the_portal_asks_to_sign_in,
);

/// Points the workspace at a loopback SMTP server so that sign-in links can be queued.
async fn with_smtp(s: &Setup) -> SmtpServer {
    let smtp = SmtpServer::start().await;
    let (st, v) = s
        .api
        .put(
            "/settings/email",
            json!({"host": "127.0.0.1", "port": smtp.port, "security": "none", "from_name": "Acme",
                   "from_email": "team@acme.example", "max_per_hour": 100, "lock_days": 14}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    smtp
}

/// The sign-in secrets emailed to an address so far, oldest first (read from the outbox).
async fn links_sent_to(app: &TestApp, to: &str) -> Vec<String> {
    let mut r = app.app.db.read().await.unwrap();
    let rows: Vec<(String,)> = r
        .conn()
        .fetch_all(
            "SELECT body FROM outbox_messages WHERE to_email = $1 AND kind = 'transactional' ORDER BY id",
            rapport_store::args![to.to_string()],
        )
        .await
        .unwrap();
    rows.iter()
        .filter_map(|(b,)| b.split("/portal/sign-in/").nth(1).map(|t| t.split_whitespace().next().unwrap().to_string()))
        .collect()
}

/// Emails Ana a link through the team's API and signs her in with it.
async fn signed_in_creator(app: &TestApp, s: &Setup) -> Browser {
    let (st, v) = s.api.post(&format!("/creators/{}/portal-link", s.creator), json!({})).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let token = links_sent_to(app, "ana@example.com").await.pop().unwrap();
    sign_in(app, &token).await
}

async fn sign_in(app: &TestApp, token: &str) -> Browser {
    let b = app.browser().await;
    let (st, page) = b.get(&format!("/portal/sign-in/{token}")).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    let (st, to) = b.post(&format!("/portal/sign-in/{token}"), &[("_csrf", &csrf_in(&page))]).await;
    assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, "/portal"));
    b
}

/// Submits a draft in the portal (a multipart form) with the CSRF token of the page, and
/// a file when given.
async fn portal_draft(
    b: &Browser,
    page: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (StatusCode, String) {
    let (_, html) = b.get(page).await;
    let csrf = csrf_in(&html);
    let mut f: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
    f.extend_from_slice(fields);
    let (name, bytes) = file.unwrap_or(("", b""));
    b.upload(&format!("{page}/submissions"), &f, name, bytes).await
}

/// Posts a portal form with the CSRF token of the page at `page`.
async fn portal_post(b: &Browser, page: &str, action: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let (_, html) = b.get(page).await;
    let csrf = csrf_in(&html);
    let mut f: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
    f.extend_from_slice(form);
    b.post(action, &f).await
}

async fn a_magic_link_signs_the_creator_in_once_and_opening_it_does_not_use_it_up(app: TestApp) {
    let s = setup(&app).await;
    let _smtp = with_smtp(&s).await;
    let (_, v) = s.api.post(&format!("/creators/{}/portal-link", s.creator), json!({})).await;
    assert_eq!(v["sent_to"], "ana@example.com");
    let token = links_sent_to(&app, "ana@example.com").await.pop().unwrap();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    let b = app.browser().await;
    for _ in 0..2 {
        let (st, page) = b.get(&format!("/portal/sign-in/{token}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Ana Lima"), "{page}");
    }
    let mut r = app.app.db.read().await.unwrap();
    let stored: Vec<(Vec<u8>,)> = r.conn().fetch_all("SELECT token_hash FROM magic_links", vec![]).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, token.as_bytes(), "only a hash is stored");
    drop(r);
    let (_, page) = b.get(&format!("/portal/sign-in/{token}")).await;
    let (st, to) = b.post(&format!("/portal/sign-in/{token}"), &[("_csrf", &csrf_in(&page))]).await;
    assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, "/portal"));
    let (st, home) = b.get("/portal").await;
    assert_eq!(st, StatusCode::OK);
    assert!(home.contains("Summer"), "{home}");
    let other = app.browser().await;
    let (st, page) = other.get(&format!("/portal/sign-in/{token}")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(page.contains("already used"), "{page}");
}

async fn an_expired_magic_link_cannot_sign_in(app: TestApp) {
    let s = setup(&app).await;
    let _smtp = with_smtp(&s).await;
    s.api.post(&format!("/creators/{}/portal-link", s.creator), json!({})).await;
    let token = links_sent_to(&app, "ana@example.com").await.pop().unwrap();
    app.app
        .db
        .execute(
            "UPDATE magic_links SET expires_at = $1",
            rapport_store::args![time::OffsetDateTime::now_utc() - time::Duration::minutes(1)],
        )
        .await
        .unwrap();
    let b = app.browser().await;
    let (st, page) = b.get(&format!("/portal/sign-in/{token}")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(page.contains("has expired"), "{page}");
    let (st, _) = b.post(&format!("/portal/sign-in/{token}"), &[("_csrf", "x")]).await;
    assert_ne!(st, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/portal").await.0, StatusCode::UNAUTHORIZED);
}

async fn workspace_slug(app: &TestApp, s: &Setup) -> String {
    let mut r = app.app.db.read().await.unwrap();
    let (slug,): (String,) = r
        .conn()
        .fetch_one("SELECT slug FROM workspaces WHERE id = $1", rapport_store::args![s.person.workspace.0])
        .await
        .unwrap();
    slug
}

async fn asking_for_a_link_answers_the_same_for_known_and_unknown_addresses(app: TestApp) {
    let s = setup(&app).await;
    let _smtp = with_smtp(&s).await;
    let slug = workspace_slug(&app, &s).await;
    let page = format!("/portal/w/{slug}");
    let b = app.browser().await;
    let mut answers = vec![];
    for email in ["ANA@example.com", "nobody@example.com"] {
        let (st, form) = b.get(&page).await;
        assert_eq!(st, StatusCode::OK);
        let (st, answer) = b.post(&page, &[("_csrf", &csrf_in(&form)), ("email", email)]).await;
        assert_eq!(st, StatusCode::OK);
        answers.push(answer.replace(&csrf_in(&form), ""));
    }
    assert_eq!(answers[0], answers[1], "the same page whether or not the address is known");
    assert!(answers[0].contains("If that address belongs to a creator"));
    assert_eq!(links_sent_to(&app, "ana@example.com").await.len(), 1, "only the known creator got a link");
    assert!(links_sent_to(&app, "nobody@example.com").await.is_empty());
    let (_, form) = b.get(&page).await;
    let (st, bad) = b.post(&page, &[("_csrf", &csrf_in(&form)), ("email", "not-an-email")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("value=\"not-an-email\""), "what was typed is kept");
    assert_eq!(b.get("/portal/w/no-such-workspace").await.0, StatusCode::OK, "the form itself reveals nothing");
}

async fn a_signed_in_creator_sees_the_brief_acknowledges_it_and_counters_an_offer(app: TestApp) {
    let s = setup(&app).await;
    let _smtp = with_smtp(&s).await;
    let (_, sheet) = s.api.upload("/files", "sheet.pdf", "application/pdf", b"%PDF-1.4\n%sheet\n").await;
    s.api
        .post(
            &format!("/campaigns/{}/brief", s.campaign),
            json!({"goals": "Launch SPF 50", "dos": "Film outdoors", "attachment_ids": [id(&sheet)]}),
        )
        .await;
    let (_, offer) =
        s.api.post(&format!("/collaborations/{}/offers", s.collab), json!({"amount_minor": 100_000})).await;
    let b = signed_in_creator(&app, &s).await;
    let deal = format!("/portal/collaborations/{}", s.collab);
    let (st, page) = b.get(&deal).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Launch SPF 50") && page.contains("Film outdoors"), "{page}");
    assert!(page.contains(&format!("/portal/files/{}", id(&sheet))), "the brief's attachment is listed");
    assert_eq!(b.get(&format!("/portal/files/{}", id(&sheet))).await.0, StatusCode::OK);
    let (st, _) = portal_post(&b, &deal, &format!("{deal}/acknowledge"), &[("version", "1")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, h) = s.api.get(&format!("/campaigns/{}/brief", s.campaign)).await;
    assert_eq!(h["acknowledgements"][0]["version"], 1);
    let (st, page) =
        portal_post(&b, &deal, &format!("{deal}/offers"), &[("amount", "lots"), ("deliverables", "1 reel")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("1 reel"), "what was typed is kept");
    let (st, _) =
        portal_post(&b, &deal, &format!("{deal}/offers"), &[("amount", "1500"), ("deliverables", "1 reel")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, offers) = s.api.get(&format!("/collaborations/{}/offers", s.collab)).await;
    assert_eq!(offers[0]["status"], "countered");
    assert_eq!(
        (offers[1]["direction"].as_str(), offers[1]["amount_minor"].as_i64()),
        (Some("creator_to_brand"), Some(150_000))
    );
    let (st, _) =
        portal_post(&b, &deal, &format!("/portal/offers/{}/accept", offers[1]["id"].as_str().unwrap()), &[]).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a creator does not accept their own offer");
    let (st, _) = portal_post(&b, &deal, &format!("{deal}/rating"), &[("score", "5"), ("comment", "Smooth")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = b.get(&deal).await;
    assert!(page.contains("You rated it 5/5"), "{page}");
    let _ = id(&offer);
}

async fn a_creator_submits_drafts_and_sees_feedback_until_approval_and_publication(app: TestApp) {
    let s = setup(&app).await;
    let _smtp = with_smtp(&s).await;
    let dl = reel(&s).await;
    let b = signed_in_creator(&app, &s).await;
    let page = format!("/portal/deliverables/{dl}");
    let (st, html) = portal_draft(&b, &page, &[("caption", ""), ("links", "")], None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("a draft needs a caption"), "{html}");
    let (st, _) = portal_draft(
        &b,
        &page,
        &[("caption", "#ad Sunny #summerglow @acme"), ("links", "https://drive.example.com/v1")],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    let v1 = &d["submissions"][0];
    assert_eq!(v1["submitted_by_label"], "Ana Lima");
    s.api
        .post(
            &format!("/submissions/{}/decision", id(v1)),
            json!({"decision": "changes_requested", "feedback": "Show the bottle"}),
        )
        .await;
    let (_, html) = b.get(&page).await;
    assert!(html.contains("Show the bottle"), "the creator sees the feedback");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let (st, _) =
        portal_draft(&b, &page, &[("caption", "#ad Bottle! #summerglow @acme")], Some(("cut.png", png))).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    let v2 = &d["submissions"][1];
    let file = v2["file_ids"][0].as_str().unwrap().to_string();
    let r = b.client.get(app.url(&format!("/portal/files/{file}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), png, "the creator opens their own upload");
    let (_, team) = s.api.get(&format!("/files/{file}")).await;
    assert_eq!(team["content_type"], "image/png");
    s.api
        .post(&format!("/submissions/{}/decision", id(v2)), json!({"decision": "approved", "checked": all_ticked(v2)}))
        .await;
    let (st, _) =
        portal_post(&b, &page, &format!("{page}/published"), &[("published_url", "https://instagram.com/p/abc")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "published");
}

async fn creator_a_gets_404_for_every_id_of_creator_b_on_every_portal_route(app: TestApp) {
    let s = setup(&app).await;
    let _smtp = with_smtp(&s).await;
    let mine = reel(&s).await;
    // Ben, another creator on the same campaign, with a deliverable, a draft and an offer.
    let ben = id(&s.api.creator(json!({"display_name": "Ben Okafor"})).await);
    let (_, collab) =
        s.api.post(&format!("/campaigns/{}/collaborations", s.campaign), json!({"creator_id": ben})).await;
    let bc = id(&collab);
    let (_, offer) = s.api.post(&format!("/collaborations/{bc}/offers"), json!({"amount_minor": 5_000})).await;
    let bdl = id(&deliverable(&s.api, &bc, json!({"platform": "tiktok", "format": "video"})).await);
    let (_, bfile) = s.api.upload("/files", "ben.pdf", "application/pdf", b"%PDF-1.4\n").await;
    let bsub = id(&submit(&s.api, &bdl, json!({"caption": "Ben's draft", "file_ids": [id(&bfile)]})).await);
    let b = signed_in_creator(&app, &s).await;
    let home = format!("/portal/deliverables/{mine}");
    assert_eq!(b.get(&format!("/portal/collaborations/{bc}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/portal/deliverables/{bdl}")).await.0, StatusCode::NOT_FOUND);
    let posts = [
        (format!("/portal/collaborations/{bc}/acknowledge"), vec![("version", "1")]),
        (format!("/portal/collaborations/{bc}/offers"), vec![("amount", "10")]),
        (format!("/portal/collaborations/{bc}/rating"), vec![("score", "1")]),
        (format!("/portal/offers/{}/decline", id(&offer)), vec![]),
        (format!("/portal/offers/{}/accept", id(&offer)), vec![]),
        (format!("/portal/deliverables/{bdl}/published"), vec![("published_url", "https://x.example/p")]),
        (format!("/portal/deliverables/{bdl}/submissions/{bsub}/comments"), vec![("body", "x")]),
        (format!("/portal/deliverables/{mine}/submissions/{bsub}/comments"), vec![("body", "x")]),
    ];
    for (action, form) in &posts {
        let (st, body) = portal_post(&b, &home, action, form).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{action}: {body}");
    }
    let (_, html) = b.get(&home).await;
    let csrf = csrf_in(&html);
    let (st, body) = b
        .upload(&format!("/portal/deliverables/{bdl}/submissions"), &[("_csrf", &csrf), ("caption", "x")], "", b"")
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(b.get(&format!("/portal/files/{}", id(&bfile))).await.0, StatusCode::NOT_FOUND);
    let (_, d) = s.api.get(&format!("/deliverables/{bdl}")).await;
    assert_eq!(
        (d["submissions"].as_array().unwrap().len(), d["submissions"][0]["comments"].as_array().unwrap().len()),
        (1, 0)
    );
    let (_, o) = s.api.get(&format!("/collaborations/{bc}/offers")).await;
    assert_eq!(o[0]["status"], "open", "nothing of Ben's changed");
    let (st, _) = b.get("/creators").await;
    assert_eq!(st, StatusCode::SEE_OTHER, "a portal session is not a team session");
}

async fn a_creator_in_two_workspaces_sees_each_only_through_its_own_link(app: TestApp) {
    let s = setup(&app).await;
    let _smtp = with_smtp(&s).await;
    // A second brand works with the same person under the same address.
    let other = crate::deliverables::setup_in(&app, "Globex").await;
    let _smtp2 = with_smtp(&other).await;
    let (st, _) = other.api.patch(&format!("/campaigns/{}", other.campaign), json!({"name": "Winter"})).await;
    assert_eq!(st, StatusCode::OK);
    let b = signed_in_creator(&app, &s).await;
    let (_, home) = b.get("/portal").await;
    assert!(home.contains("Summer") && !home.contains("Winter"), "{home}");
    assert_eq!(b.get(&format!("/portal/collaborations/{}", other.collab)).await.0, StatusCode::NOT_FOUND);
}

async fn without_a_portal_session_the_portal_asks_to_sign_in(app: TestApp) {
    let s = setup(&app).await;
    let b = app.browser().await;
    let (st, page) = b.get("/portal").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(page.contains("sign-in link"), "{page}");
    assert_eq!(b.get(&format!("/portal/collaborations/{}", s.collab)).await.0, StatusCode::UNAUTHORIZED);
    let (st, _) = b.post(&format!("/portal/collaborations/{}/rating", s.collab), &[("score", "5")]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}
