//! The team's brief and deliverable pages and the share-link page for outside reviewers:
//! forms keep what was typed on error, a share link approves until it expires or is
//! revoked, and every new page answers 404 for another workspace.

use crate::campaigns::id;
use crate::deliverables::{all_ticked, reel, setup, submit};
use crate::harness::{TestApp, csrf_in};
use reqwest::StatusCode;
use serde_json::json;

crate::db_tests!(
    the_brief_page_saves_versions_and_keeps_what_was_typed_on_error,
    a_deliverable_is_planned_and_reviewed_on_its_pages,
    an_outside_reviewer_approves_through_a_share_link,
    an_expired_revoked_or_unknown_share_link_cannot_review,
    the_new_pages_answer_404_for_another_workspace,
    a_deals_terms_are_edited_on_a_page_in_the_campaigns_currency,
    a_file_is_attached_to_the_brief_on_its_page,
);

async fn a_file_is_attached_to_the_brief_on_its_page(app: TestApp) {
    let s = setup(&app).await;
    let b = app.signed_in(&s.person).await;
    let page = format!("/campaigns/{}/brief", s.campaign);
    let attach = format!("{page}/attachments");
    let csrf = b.csrf().await;
    let (st, html) = b.upload(&attach, &[("_csrf", &csrf)], "sheet.pdf", b"%PDF-1.4\n").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "no brief yet");
    assert!(html.contains("write the brief first"));
    b.submit(&page, &[("goals", "Launch")]).await;
    let (st, html) = b.upload(&attach, &[("_csrf", &csrf)], "page.html", b"<html><script>x</script></html>").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("text/html"), "markup is refused");
    let (st, _) = b.upload(&attach, &[("_csrf", "forged")], "sheet.pdf", b"%PDF-1.4\n").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, to) = b.upload(&attach, &[("_csrf", &csrf)], "sheet.pdf", b"%PDF-1.4\n").await;
    assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, page.as_str()));
    let (_, h) = s.api.get(&page).await;
    assert_eq!(h["current"]["version"], 2);
    assert_eq!(h["current"]["goals"], "Launch", "the rest of the brief is kept");
    let file = h["current"]["attachment_ids"][0].as_str().unwrap().to_string();
    let (_, html) = b.get(&page).await;
    assert!(html.contains(&format!("/files/{file}")));
}

async fn a_deals_terms_are_edited_on_a_page_in_the_campaigns_currency(app: TestApp) {
    let s = setup(&app).await;
    let b = app.signed_in(&s.person).await;
    let page = format!("/collaborations/{}/terms", s.collab);
    let (st, html) = b.get(&page).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Agreed fee (EUR)"));
    let (st, html) = b
        .submit(
            &page,
            &[
                ("fee_model", "hybrid"),
                ("agreed_fee", "lots"),
                ("commission_percent", "12.345"),
                ("usage_rights", "Paid ads 3 months"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Paid ads 3 months") && html.contains("value=\"lots\""), "what was typed stays");
    let (st, to) = b
        .submit(
            &page,
            &[
                ("fee_model", "hybrid"),
                ("agreed_fee", "2 500.50"),
                ("product_value", "80"),
                ("commission_percent", "12.5"),
                ("usage_rights", "Paid ads 3 months"),
                ("exclusivity", "No other sunscreen"),
                ("exclusivity_ends_on", "2030-12-31"),
                ("draft_due_on", "2030-05-01"),
                ("publish_due_on", "2030-05-20"),
            ],
        )
        .await;
    assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, format!("/collaborations/{}", s.collab).as_str()));
    let (_, v) = s.api.get(&format!("/collaborations/{}", s.collab)).await;
    assert_eq!(
        (v["fee_model"].as_str(), v["agreed_fee_minor"].as_i64(), v["product_value_minor"].as_i64()),
        (Some("hybrid"), Some(250_050), Some(8_000))
    );
    assert_eq!((v["commission_rate_bp"].as_i64(), v["exclusivity_ends_on"].as_str()), (Some(1250), Some("2030-12-31")));
    let (_, html) = b.get(&page).await;
    assert!(
        html.contains("value=\"12.50\"") && html.contains("value=\"2500.50\""),
        "the form shows the saved terms: {html}"
    );
    let other = crate::deliverables::setup_in(&app, "Globex").await;
    let theirs = app.signed_in(&other.person).await;
    assert_eq!(theirs.get(&page).await.0, StatusCode::NOT_FOUND);
    assert_eq!(theirs.submit(&page, &[("fee_model", "flat")]).await.0, StatusCode::NOT_FOUND);
}

async fn the_brief_page_saves_versions_and_keeps_what_was_typed_on_error(app: TestApp) {
    let s = setup(&app).await;
    let b = app.signed_in(&s.person).await;
    let page = format!("/campaigns/{}/brief", s.campaign);
    let (st, html) = b.get(&page).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Write the brief"));
    let (st, html) = b.submit(&page, &[("goals", " "), ("dos", "Film outdoors")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Film outdoors") && html.contains("is required"), "what was typed stays");
    let (st, to) = b.submit(&page, &[("goals", "Launch SPF 50"), ("non_negotiables", "Show the bottle")]).await;
    assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, page.as_str()));
    let (_, html) = b.get(&page).await;
    assert!(html.contains("Brief version 1 saved.") && html.contains("Save the next version"), "{html}");
    assert!(html.contains(">Launch SPF 50</textarea>"), "the next version starts from the current one");
    b.submit(&page, &[("goals", "Launch SPF 50 and kids")]).await;
    let (_, h) = s.api.get(&page).await;
    assert_eq!((h["current"]["version"].as_i64(), h["versions"].as_array().unwrap().len()), (Some(2), 2));
}

async fn a_deliverable_is_planned_and_reviewed_on_its_pages(app: TestApp) {
    let s = setup(&app).await;
    let b = app.signed_in(&s.person).await;
    let deal = format!("/collaborations/{}", s.collab);
    let plan = format!("{deal}/deliverables");
    let (st, html) =
        b.submit(&plan, &[("platform", "instagram"), ("format", ""), ("quantity", "2"), ("fee", "1o0")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"2\"") && html.contains("value=\"1o0\""), "what was typed stays");
    let (st, to) = b
        .submit(
            &plan,
            &[("platform", "instagram"), ("format", "reel"), ("quantity", "1"), ("fee", "250"), ("hashtags", "ad")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/deliverables/dl_"), "{to}");
    let dl = to.trim_start_matches("/deliverables/").to_string();
    let (_, v) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(v["deliverable"]["fee_minor"], 25_000);
    let sub = submit(&s.api, &dl, json!({"caption": "#ad Sunny #summerglow @acme"})).await;
    let (_, html) = b.get(&to).await;
    assert!(html.contains("Review version 1") && html.contains("Disclosure check"), "{html}");
    let decide = format!("{to}/submissions/{}/decision", id(&sub));
    let (st, html) = b.submit(&decide, &[("decision", "approved"), ("checked", "0"), ("feedback", "Nice")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("tick every checklist item") && html.contains(">Nice</textarea>"));
    assert!(html.contains("value=\"0\" checked"), "the ticks stay");
    let n = sub["checklist"].as_array().unwrap().len();
    let ticks: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let mut form: Vec<(&str, &str)> = vec![("decision", "approved")];
    form.extend(ticks.iter().map(|t| ("checked", t.as_str())));
    let (st, _) = b.submit(&decide, &form).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, html) = b.submit(&format!("{to}/status"), &[("status", "published"), ("published_url", "")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("is required to mark a deliverable published"));
    let (st, _) = b
        .submit(&format!("{to}/status"), &[("status", "published"), ("published_url", "https://instagram.com/p/1")])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, v) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(v["deliverable"]["status"], "published");
}

/// Creates a share link on the team's page and returns its path.
async fn share_link(app: &TestApp, s: &crate::deliverables::Setup, dl: &str) -> String {
    let b = app.signed_in(&s.person).await;
    let (st, html) =
        b.submit(&format!("/deliverables/{dl}/review-links"), &[("label", "Client"), ("expires_in_days", "3")]).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    let start = html.find("/review/").expect("the link is shown once");
    let rest = &html[start..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn an_outside_reviewer_approves_through_a_share_link(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let (_, file) = s.api.upload("/files", "cut.pdf", "application/pdf", b"%PDF-1.4\n").await;
    let (_, other) = s.api.upload("/files", "other.pdf", "application/pdf", b"%PDF-1.4\n%other\n").await;
    let sub = submit(&s.api, &dl, json!({"caption": "#ad Sunny #summerglow @acme", "file_ids": [id(&file)]})).await;
    let path = share_link(&app, &s, &dl).await;
    let outsider = app.browser().await;
    let (st, html) = outsider.get(&path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(outsider.get(&format!("{path}/files/{}", id(&file))).await.0, StatusCode::OK, "the draft's file");
    assert_eq!(
        outsider.get(&format!("{path}/files/{}", id(&other))).await.0,
        StatusCode::NOT_FOUND,
        "not another file"
    );
    assert!(html.contains("#ad Sunny #summerglow @acme") && html.contains("Your decision on version 1"));
    let csrf = csrf_in(&html);
    let decide = format!("{path}/submissions/{}/decision", id(&sub));
    let (st, html) = outsider.post(&decide, &[("_csrf", &csrf), ("decision", "approved"), ("feedback", "Great")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("say who is deciding") && html.contains(">Great</textarea>"));
    let (st, _) =
        outsider.post(&decide, &[("_csrf", "forged"), ("decision", "approved"), ("reviewer_name", "Kim")]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, html) = outsider.get(&path).await;
    let mut form: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf_in(&html)),
        ("decision".into(), "approved".into()),
        ("reviewer_name".into(), "Kim Client".into()),
    ];
    form.extend(all_ticked(&sub).as_array().unwrap().iter().map(|t| ("checked".to_string(), t.to_string())));
    let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (st, to) = outsider.post(&decide, &f).await;
    assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, path.as_str()));
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "approved");
    assert_eq!(d["submissions"][0]["decided_by_label"], "Kim Client (review link)");
    let (_, html) = outsider.get(&path).await;
    assert!(!html.contains("Your decision on version"), "nothing left to decide");
}

async fn an_expired_revoked_or_unknown_share_link_cannot_review(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    submit(&s.api, &dl, json!({"caption": "Draft"})).await;
    let path = share_link(&app, &s, &dl).await;
    let secret = path.trim_start_matches("/review/");
    let mut r = app.app.db.read().await.unwrap();
    let hashes: Vec<(Vec<u8>,)> = r.conn().fetch_all("SELECT token_hash FROM review_links", vec![]).await.unwrap();
    drop(r);
    assert!(hashes.iter().all(|(h,)| h.as_slice() != secret.as_bytes()), "only a hash is stored");
    let outsider = app.browser().await;
    app.app
        .db
        .execute(
            "UPDATE review_links SET expires_at = $1",
            rapport_store::args![time::OffsetDateTime::now_utc() - time::Duration::minutes(1)],
        )
        .await
        .unwrap();
    let (st, html) = outsider.get(&path).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(html.contains("has expired"), "{html}");
    let (_, links) = s.api.get(&format!("/deliverables/{dl}/review-links")).await;
    app.app
        .db
        .execute(
            "UPDATE review_links SET expires_at = $1",
            rapport_store::args![time::OffsetDateTime::now_utc() + time::Duration::days(1)],
        )
        .await
        .unwrap();
    assert_eq!(outsider.get(&path).await.0, StatusCode::OK);
    let (st, _) = s.api.delete(&format!("/review-links/{}", id(&links[0]))).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, html) = outsider.get(&path).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(html.contains("was revoked"));
    assert_eq!(outsider.get("/review/not-a-real-secret").await.0, StatusCode::NOT_FOUND);
}

async fn the_new_pages_answer_404_for_another_workspace(app: TestApp) {
    let s = setup(&app).await;
    let dl = reel(&s).await;
    let sub = submit(&s.api, &dl, json!({"caption": "Draft"})).await;
    let other = crate::deliverables::setup_in(&app, "Globex").await;
    let b = app.signed_in(&other.person).await;
    assert_eq!(b.get(&format!("/campaigns/{}/brief", s.campaign)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/deliverables/{dl}")).await.0, StatusCode::NOT_FOUND);
    let posts = [
        (format!("/campaigns/{}/brief", s.campaign), vec![("goals", "x")]),
        (format!("/collaborations/{}/deliverables", s.collab), vec![("platform", "instagram"), ("format", "reel")]),
        (format!("/collaborations/{}/portal-link", s.collab), vec![]),
        (format!("/deliverables/{dl}/status"), vec![("status", "cancelled")]),
        (format!("/deliverables/{dl}/review-links"), vec![]),
        (
            format!("/deliverables/{dl}/submissions/{}/decision", id(&sub)),
            vec![("decision", "changes_requested"), ("feedback", "x")],
        ),
        (format!("/deliverables/{dl}/submissions/{}/comments", id(&sub)), vec![("body", "x")]),
    ];
    for (action, form) in &posts {
        let (st, _) = b.submit(action, form).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{action}");
    }
    let (_, d) = s.api.get(&format!("/deliverables/{dl}")).await;
    assert_eq!(d["deliverable"]["status"], "draft_submitted", "nothing changed");
}
