//! The web pages: forms keep what was typed and show errors inline, the list searches and
//! filters, edits appear on the timeline, delete and restore work from the record page.

use crate::harness::TestApp;
use rapport_core::roles::Role;
use reqwest::StatusCode;

crate::db_tests!(
    the_login_page_rejects_a_wrong_password_and_keeps_the_email,
    a_form_with_an_invalid_field_shows_the_error_and_keeps_everything_typed,
    a_duplicate_in_the_form_links_to_the_existing_creator,
    a_created_creator_is_found_by_the_list_search,
    an_edit_is_saved_and_shown_on_the_timeline,
    deleting_and_restoring_from_the_record_page,
    pages_send_security_headers,
    the_empty_list_says_what_to_do_first,
);

async fn the_login_page_rejects_a_wrong_password_and_keeps_the_email(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.browser().await;
    let (s, page) = b.login(&p.email, "nope nope nope").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(page.contains("The email or password is not correct"));
    assert!(page.contains(&format!("value=\"{}\"", p.email)));
    assert_eq!(b.get("/creators").await.0, StatusCode::SEE_OTHER, "not signed in");
    let (s, loc) = b.login(&p.email, &p.password).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/creators"));
    assert_eq!(b.get("/creators").await.0, StatusCode::OK);
    let (s, _) = b.submit("/logout", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/creators").await.0, StatusCode::SEE_OTHER, "signed out");
}

async fn a_form_with_an_invalid_field_shows_the_error_and_keeps_everything_typed(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&p).await;
    let (s, page) = b
        .submit(
            "/creators",
            &[
                ("display_name", "Lena Bakes"),
                ("email", "lena-at-example"),
                ("city", "Leipzig"),
                ("tags", "vegan, baking"),
                ("bio", "Sourdough & <b>bread</b>"),
                ("account_platform", "instagram"),
                ("account_handle", "@lena.bakes"),
                ("account_followers", "12k"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Please fix these 2 problems"), "summary at the top");
    assert!(page.contains("must be a valid email address"));
    assert!(page.contains("must be a whole number"));
    assert!(page.contains("href=\"#f-email\""), "the summary links to the field");
    for kept in [
        "value=\"Lena Bakes\"", "value=\"lena-at-example\"", "value=\"Leipzig\"", "value=\"vegan, baking\"",
        "value=\"@lena.bakes\"", "value=\"12k\"",
    ] {
        assert!(page.contains(kept), "{kept} was not kept");
    }
    assert!(page.contains("Sourdough &#38; &#60;b&#62;bread&#60;/b&#62;"), "typed text is kept, escaped");
    assert!(!page.contains("<b>bread</b>"));
    assert!(page.contains("<option value=\"instagram\" selected>"));
    let key = app.key(p.workspace, "read").await;
    assert_eq!(app.api(&key).get("/creators").await.1["total"], 0);
}

async fn a_duplicate_in_the_form_links_to_the_existing_creator(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&p).await;
    let (s, loc) = b.submit("/creators", &[("display_name", "Lena"), ("email", "lena@example.com")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let existing = loc.trim_start_matches("/creators/").to_string();
    let (s, page) = b.submit("/creators", &[("display_name", "Lena again"), ("email", "LENA@example.com")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("already belongs to Lena"));
    assert!(page.contains(&format!("href=\"/creators/{existing}\"")));
    assert!(page.contains("value=\"Lena again\""));
}

async fn a_created_creator_is_found_by_the_list_search(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&p).await;
    b.submit(
        "/creators",
        &[("display_name", "Zora Quill"), ("account_platform", "tiktok"), ("account_handle", "@zoraq")],
    )
    .await;
    b.submit("/creators", &[("display_name", "Other Person")]).await;
    let (s, page) = b.get("/creators?q=zoraq").await;
    assert_eq!(s, StatusCode::OK);
    let shown = |page: &str, name: &str| page.contains(&format!("class=\"person-name\">{name}<"));
    assert!(shown(&page, "Zora Quill") && !shown(&page, "Other Person"), "{page}");
    assert!(page.contains("Search: zoraq"), "the active filter shows as a chip");
    let (_, page) = b.get("/creators?platform=tiktok").await;
    assert!(shown(&page, "Zora Quill") && !shown(&page, "Other Person"));
    // A filter that cannot be used is named, kept in the form, and nothing is listed (not
    // the unfiltered workspace under chips that say otherwise).
    for bad in [
        "/creators?platform=myspace",
        "/creators?q=zoraq&sort=created_at",
        "/creators?min_followers=abc&platform=tiktok",
    ] {
        let (_, page) = b.get(bad).await;
        assert!(page.contains("These filters cannot be used as they are"), "{bad}: {page}");
        assert!(!shown(&page, "Zora Quill") && !shown(&page, "Other Person"), "{bad}: {page}");
    }
    let (_, page) = b.get("/creators?q=zoraq&sort=created_at").await;
    assert!(page.contains("value=\"zoraq\""), "what was typed stays in the form: {page}");
    // A count alone is the API's; the page still lists the creators.
    for zero in ["0", "00"] {
        let (_, page) = b.get(&format!("/creators?platform=tiktok&limit={zero}")).await;
        assert!(shown(&page, "Zora Quill"), "limit={zero}: {page}");
    }
}

async fn an_edit_is_saved_and_shown_on_the_timeline(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let key = app.key(p.workspace, "write").await;
    let c = app
        .api(&key)
        .creator(serde_json::json!({"display_name": "Lena", "city": "Berlin", "custom_fields": {"shirt": "M"},
            "contact_points": [{"value": "lena@example.com"}, {"kind": "whatsapp", "value": "+49 151 1234567"}]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let b = app.signed_in(&p).await;
    let (s, form) = b.get(&format!("/creators/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("value=\"Berlin\""));
    let (s, loc) = b
        .submit(
            &format!("/creators/{id}"),
            &[("display_name", "Lena"), ("email", "lena@example.com"), ("city", "Hamburg"), ("stage", "qualified")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (_, page) = b.get(&format!("/creators/{id}")).await;
    assert!(page.contains("Hamburg"));
    assert!(page.contains("updated the profile"));
    assert!(page.contains("<del>Berlin</del> → <ins>Hamburg</ins>"));
    // Fields the form does not show are kept.
    let (_, v) = app.api(&key).get(&format!("/creators/{id}")).await;
    assert_eq!(v["custom_fields"]["shirt"], "M");
    assert_eq!(v["stage"], "qualified");
    assert!(v["contact_points"].as_array().unwrap().iter().any(|c| c["kind"] == "whatsapp"));
}

async fn deleting_and_restoring_from_the_record_page(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&p).await;
    let (_, loc) = b.submit("/creators", &[("display_name", "Lena")]).await;
    let (s, _) = b.submit(&format!("{loc}/delete"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("This creator was deleted"));
    assert!(page.contains("was deleted. You can restore them"), "a flash message confirms");
    let (_, list) = b.get("/creators").await;
    assert!(!list.contains(">Lena<"));
    let (_, bin) = b.get("/creators?deleted=true").await;
    assert!(bin.contains(">Lena<"));
    b.submit(&format!("{loc}/restore"), &[]).await;
    let (_, list) = b.get("/creators").await;
    assert!(list.contains(">Lena<"));
}

async fn pages_send_security_headers(app: TestApp) {
    let r = reqwest::get(app.url("/login")).await.unwrap();
    let h = r.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(h["x-frame-options"], "DENY");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.browser().await;
    let (_, page) = b.get("/login").await;
    let csrf = crate::harness::csrf_in(&page);
    let r = b
        .client
        .post(app.url("/login"))
        .form(&[("_csrf", csrf.as_str()), ("email", &p.email), ("password", &p.password)])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("rapport_session="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax") && !session.contains("Secure"));
}

async fn the_empty_list_says_what_to_do_first(app: TestApp) {
    let p = app.workspace("Acme", Role::Owner).await;
    let b = app.signed_in(&p).await;
    let (_, page) = b.get("/creators").await;
    assert!(page.contains("No creators yet"));
    assert!(page.contains("href=\"/creators/new\""));
}
