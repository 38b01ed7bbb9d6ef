//! Received email: real-world `.eml` files (Gmail, Outlook, Apple Mail, an unknown sender)
//! and mbox imports filed by thread or address or left for review; the review inbox (file
//! under a creator, dismiss) through the API and the page; a real IMAP server (Dovecot on
//! loopback, started by `.ci/run`) polled for new messages; permissions and isolation.

use crate::harness::{Api, TestApp, in_ci};
use crate::smtp_server::SmtpServer;
use futures_util::TryStreamExt;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

crate::db_tests!(
    a_reply_to_an_email_we_sent_is_filed_under_its_creator_by_thread,
    a_message_from_a_known_address_is_filed_by_address,
    an_unknown_sender_waits_for_review_and_is_filed_by_hand,
    a_message_in_review_can_be_dismissed_once,
    an_mbox_is_imported_and_importing_it_again_changes_nothing,
    a_file_that_is_not_email_is_refused,
    the_imap_mailbox_is_polled_and_each_message_filed_once,
    mailbox_settings_hide_the_password_and_name_bad_fields,
    a_read_key_cannot_import_file_or_configure,
    inbound_routes_answer_404_for_another_workspace,
    the_inbox_page_files_a_message_by_the_creators_name,
    the_inbox_page_imports_a_file_and_keeps_errors_inline,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../rapport-core/tests/fixtures/email/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Posts raw bytes to the import endpoint.
async fn import(app: &TestApp, api: &Api, bytes: Vec<u8>) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/inbound/import"))
        .bearer_auth(&api.key)
        .header("content-type", "message/rfc822")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

async fn creator(api: &Api, name: &str, email: &str) -> String {
    id(&api.creator(json!({"display_name": name, "contact_points": [{"kind": "email", "value": email}]})).await)
}

async fn timeline_actions(api: &Api, creator: &str) -> Vec<String> {
    let (_, t) = api.get(&format!("/creators/{creator}/timeline")).await;
    t["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

fn reply_to(message_id: &str, from: &str) -> Vec<u8> {
    format!(
        "From: Ana <{from}>\r\nTo: team@brand.example\r\nSubject: Re: Your trail-running reel\r\n\
         Message-ID: <reply-{}@mail.example>\r\nIn-Reply-To: {message_id}\r\nReferences: {message_id}\r\n\
         Date: Wed, 4 Mar 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Count me in!\r\n\r\nOn Tue, 3 Mar 2026 at 10:12, Brand Team <team@brand.example> wrote:\r\n> Hi Ana\r\n",
        uuid::Uuid::now_v7().simple()
    )
    .into_bytes()
}

async fn a_reply_to_an_email_we_sent_is_filed_under_its_creator_by_thread(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let smtp = SmtpServer::start().await;
    let (s, _) = api
        .put(
            "/settings/email",
            json!({"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                       "from_name": "Brand", "from_email": "team@brand.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let ana = creator(&api, "Ana Lima", "ana@creators.example").await;
    let (_, sent) = api.post(&format!("/creators/{ana}/emails"), json!({"subject": "Hi", "body": "Hello Ana"})).await;
    // She answers from another address: the thread, not the address, decides.
    let (s, v) = import(&app, &api, reply_to(sent["message_id"].as_str().unwrap(), "ana.private@gmail.example")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["matched"], 1);
    let (_, msgs) = api.get(&format!("/inbound?creator_id={ana}")).await;
    let m = &msgs[0];
    assert_eq!(m["matched_by"], "thread");
    assert_eq!(m["body"], "Count me in!");
    assert!(timeline_actions(&api, &ana).await.contains(&"email.received".to_string()));
    let (_, logged) = api.get(&format!("/creators/{ana}/interactions")).await;
    let inbound: Vec<_> = logged["items"].as_array().unwrap().iter().filter(|i| i["direction"] == "inbound").collect();
    assert_eq!(inbound.len(), 1);
    assert_eq!(inbound[0]["body"], "Count me in!");
    let (_, r) = api.get(&format!("/creators/{ana}/responsiveness")).await;
    assert!(r["last_contact_at"].is_string(), "{r}");
}

async fn a_message_from_a_known_address_is_filed_by_address(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let zoe = creator(&api, "Zoë Müller", "zoe@studio-mueller.example").await;
    let (s, v) = import(&app, &api, fixture("outlook_reply_encoded_headers.eml")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["matched"], 1);
    let (_, msgs) = api.get(&format!("/inbound?creator_id={zoe}")).await;
    assert_eq!(msgs[0]["matched_by"], "address");
    assert_eq!(msgs[0]["subject"], "RE: Kooperation – Herbstkampagne");
    assert_eq!(msgs[0]["from_name"], "Zoë Müller");
    assert!(msgs[0]["body"].as_str().unwrap().ends_with("Zoë"));
}

async fn an_unknown_sender_waits_for_review_and_is_filed_by_hand(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let hanako = id(&api.creator(json!({"display_name": "Sato Hanako"})).await);
    let (_, v) = import(&app, &api, fixture("unknown_sender_html_only.eml")).await;
    assert_eq!(v["review"], 1);
    let (_, inbox) = api.get("/inbound").await;
    let m = &inbox[0];
    assert_eq!(m["status"], "review");
    assert_eq!(m["attachments"][0]["content_type"], "image/png");
    let (s, filed) = api.post(&format!("/inbound/{}/assign", id(m)), json!({"creator_id": hanako})).await;
    assert_eq!(s, StatusCode::OK, "{filed}");
    assert_eq!(filed["matched_by"], "manual");
    assert_eq!(filed["creator_id"], hanako.as_str());
    let (_, inbox) = api.get("/inbound").await;
    assert!(inbox.as_array().unwrap().is_empty());
    let (s, v) = api.post(&format!("/inbound/{}/assign", id(m)), json!({"creator_id": hanako})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = api.post(&format!("/inbound/{}/assign", id(m)), json!({"creator_id": "cr_nope"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(timeline_actions(&api, &hanako).await.contains(&"email.received".to_string()));
}

async fn a_message_in_review_can_be_dismissed_once(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    import(&app, &api, fixture("unknown_sender_html_only.eml")).await;
    let (_, inbox) = api.get("/inbound").await;
    let m = id(&inbox[0]);
    let (s, v) = api.post(&format!("/inbound/{m}/dismiss"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "dismissed");
    let (s, _) = api.post(&format!("/inbound/{m}/dismiss"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, dismissed) = api.get("/inbound?status=dismissed").await;
    assert_eq!(dismissed.as_array().unwrap().len(), 1);
    let (s, _) = api.get("/inbound?status=lost").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

fn mbox() -> Vec<u8> {
    let mut out = Vec::new();
    for f in ["gmail_reply_with_attachment.eml", "apple_mail_reply.eml", "unknown_sender_html_only.eml"] {
        out.extend_from_slice(b"From MAILER-DAEMON Wed Mar  4 09:00:00 2026\n");
        out.extend(String::from_utf8(fixture(f)).unwrap().replace("\r\n", "\n").into_bytes());
        out.push(b'\n');
    }
    out
}

async fn an_mbox_is_imported_and_importing_it_again_changes_nothing(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let ana = creator(&api, "Ana Lima", "ana.lima@gmail.com").await;
    let rene = creator(&api, "René Dupré", "rene@atelier.example").await;
    let (s, v) = import(&app, &api, mbox()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({"messages": 3, "matched": 2, "review": 1, "duplicates": 0, "unreadable": 0}));
    let (_, again) = import(&app, &api, mbox()).await;
    assert_eq!(again, json!({"messages": 3, "matched": 0, "review": 0, "duplicates": 3, "unreadable": 0}));
    let (_, a) = api.get(&format!("/inbound?creator_id={ana}")).await;
    assert_eq!(a.as_array().unwrap().len(), 1);
    assert_eq!(a[0]["attachments"][0]["name"], "Ana Lima rate card 2026.pdf");
    let (_, r) = api.get(&format!("/inbound?creator_id={rene}")).await;
    assert_eq!(r[0]["subject"], "Re: Liefertermin für den Entwurf");
}

async fn a_file_that_is_not_email_is_refused(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let (s, v) = import(&app, &api, b"   \n".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "file");
    let (s, v) = import(&app, &api, vec![0xff, 0xfe, 0x00, 0x01]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

/// The test IMAP server from `.ci/imap.sh`: `None` (skip) outside CI when it is not running.
fn imap_server() -> Option<(String, u16, String, String)> {
    match (std::env::var("TEST_IMAP_ADDR"), std::env::var("TEST_IMAP_USER"), std::env::var("TEST_IMAP_PASSWORD")) {
        (Ok(addr), Ok(user), Ok(pw)) => {
            let (host, port) = addr.rsplit_once(':').unwrap();
            Some((host.to_string(), port.parse().unwrap(), user, pw))
        }
        _ if in_ci() => panic!("CI=true but TEST_IMAP_ADDR is not set: the IMAP tests cannot run (see .ci/imap.sh)"),
        _ => {
            eprintln!("skipping the IMAP test: TEST_IMAP_ADDR is not set (run .ci/imap.sh)");
            None
        }
    }
}

/// Appends messages to a folder of the test mailbox (created when missing), as a mail
/// server delivering them — one connection per message, as deliveries come.
async fn deliver(host: &str, port: u16, user: &str, pw: &str, folder: &str, messages: &[Vec<u8>]) {
    for m in messages {
        let tcp = tokio::net::TcpStream::connect((host, port)).await.unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        let mut s = client.login(user, pw).await.map_err(|(e, _)| e).unwrap();
        let names: Vec<_> = s.list(None, Some(folder)).await.unwrap().try_collect().await.unwrap();
        if names.is_empty() {
            s.create(folder).await.unwrap();
        }
        s.append(folder, None, None, m).await.unwrap();
        s.logout().await.unwrap();
    }
}

async fn inbound_until(api: &Api, query: &str, n: usize) -> Value {
    for _ in 0..100 {
        let (_, v) = api.get(&format!("/inbound?{query}")).await;
        if v.as_array().is_some_and(|a| a.len() >= n) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let (_, mailbox) = api.get("/settings/mailbox").await;
    let (_, all) = api.get("/inbound?status=matched").await;
    panic!("expected {n} message(s) for {query}; mailbox: {mailbox}; matched: {all}");
}

/// Waits until the poller has read up to `uid`.
async fn mailbox_until(api: &Api, uid: i64) -> Value {
    for _ in 0..100 {
        let (_, m) = api.get("/settings/mailbox").await;
        if m["last_uid"].as_i64() == Some(uid) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    panic!("the mailbox was never read up to UID {uid}");
}

async fn the_imap_mailbox_is_polled_and_each_message_filed_once(app: TestApp) {
    let Some((host, port, user, pw)) = imap_server() else { return };
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let zoe = creator(&api, "Zoë Müller", "zoe@studio-mueller.example").await;
    // We wrote to Ana; she answers from another address, so only the thread can tell.
    let smtp = SmtpServer::start().await;
    let (s, _) = api
        .put(
            "/settings/email",
            json!({"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                       "from_name": "Brand", "from_email": "team@brand.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let ana = creator(&api, "Ana Lima", "ana@creators.example").await;
    let (_, sent) = api.post(&format!("/creators/{ana}/emails"), json!({"subject": "Hi", "body": "Hello Ana"})).await;
    let reply = reply_to(sent["message_id"].as_str().unwrap(), "ana.private@gmail.example");
    let folder = format!("t-{}", uuid::Uuid::now_v7().simple());
    let first = [fixture("outlook_reply_encoded_headers.eml"), fixture("unknown_sender_html_only.eml"), reply];
    deliver(&host, port, &user, &pw, &folder, &first).await;
    let (s, v) = api
        .put(
            "/settings/mailbox",
            json!({"host": host, "port": port, "security": "none", "username": user,
                                         "password": pw, "folder": folder, "poll_seconds": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let filed = inbound_until(&api, &format!("creator_id={zoe}"), 1).await;
    assert_eq!(filed[0]["source"], "imap");
    assert_eq!(filed[0]["matched_by"], "address");
    let threaded = inbound_until(&api, &format!("creator_id={ana}"), 1).await;
    assert_eq!(threaded[0]["matched_by"], "thread");
    assert_eq!(threaded[0]["body"], "Count me in!");
    let review = inbound_until(&api, "status=review", 1).await;
    assert!(review[0]["from_email"].as_str().unwrap().ends_with("@example.jp"));
    // A later reply arrives; the next poll reads only it.
    mailbox_until(&api, 3).await;
    deliver(&host, port, &user, &pw, &folder, &[fixture("apple_mail_reply.eml")]).await;
    let review = inbound_until(&api, "status=review", 2).await;
    assert_eq!(review.as_array().unwrap().len(), 2);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, all_review) = api.get("/inbound?status=review").await;
    let (_, all_zoe) = api.get(&format!("/inbound?creator_id={zoe}")).await;
    let (_, all_ana) = api.get(&format!("/inbound?creator_id={ana}")).await;
    let total =
        all_review.as_array().unwrap().len() + all_zoe.as_array().unwrap().len() + all_ana.as_array().unwrap().len();
    assert_eq!(total, 4, "each message once");
    let mailbox = mailbox_until(&api, 4).await;
    assert!(mailbox["last_error"].is_null(), "{mailbox}");
}

async fn mailbox_settings_hide_the_password_and_name_bad_fields(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let (s, v) = api
        .put("/settings/mailbox", json!({"host": "imap.brand.example", "username": "team", "password": "imap-s3cret"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["port"], 993);
    assert_eq!(v["folder"], "INBOX");
    assert_eq!(v["password_set"], true);
    assert!(!v.to_string().contains("imap-s3cret"));
    let (s, v) = api.put("/settings/mailbox", json!({"host": "x y", "security": "ssl", "poll_seconds": 0})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["host", "security", "username", "poll_seconds"]);
    let (s, _) = api.delete("/settings/mailbox").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = api.get("/settings/mailbox").await;
    assert_eq!(v["configured"], false);
}

async fn a_read_key_cannot_import_file_or_configure(app: TestApp) {
    let (api, owner) = app.api_in_new_workspace("Brand").await;
    import(&app, &api, fixture("unknown_sender_html_only.eml")).await;
    let (_, inbox) = api.get("/inbound").await;
    let m = id(&inbox[0]);
    let read = app.api(&app.key(owner.workspace, "read").await);
    let (s, _) = import(&app, &read, fixture("apple_mail_reply.eml")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let c = id(&api.creator(json!({"display_name": "X"})).await);
    let (s, _) = read.post(&format!("/inbound/{m}/assign"), json!({"creator_id": c})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = read.post(&format!("/inbound/{m}/dismiss"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = read.put("/settings/mailbox", json!({"host": "x.example", "username": "u", "password": "p"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = read.get("/inbound").await;
    assert_eq!(s, StatusCode::OK);
}

async fn inbound_routes_answer_404_for_another_workspace(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Brand").await;
    let zoe = creator(&api, "Zoë", "zoe@studio-mueller.example").await;
    import(&app, &api, fixture("unknown_sender_html_only.eml")).await;
    let (_, inbox) = api.get("/inbound").await;
    let m = id(&inbox[0]);
    let (other, _) = app.api_in_new_workspace("Other").await;
    let mine = id(&other.creator(json!({"display_name": "Mine"})).await);
    assert_eq!(other.get(&format!("/inbound/{m}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&format!("/inbound/{m}/assign"), json!({"creator_id": mine})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&format!("/inbound/{m}/dismiss"), json!({})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/inbound?creator_id={zoe}")).await.0, StatusCode::NOT_FOUND);
    // Filing one's own message under another workspace's creator is refused too.
    let (s, _) = api.post(&format!("/inbound/{m}/assign"), json!({"creator_id": mine})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, list) = other.get("/inbound").await;
    assert!(list.as_array().unwrap().is_empty());
    // The same file in another workspace is matched against that workspace's creators only.
    let (_, v) = import(&app, &other, fixture("outlook_reply_encoded_headers.eml")).await;
    assert_eq!(v["review"], 1);
}

async fn the_inbox_page_files_a_message_by_the_creators_name(app: TestApp) {
    let owner = app.workspace("Brand", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let hanako = id(&api.creator(json!({"display_name": "Sato Hanako"})).await);
    import(&app, &api, fixture("unknown_sender_html_only.eml")).await;
    let (_, inbox) = api.get("/inbound").await;
    let m = id(&inbox[0]);
    let b = app.signed_in(&owner).await;
    let (s, page) = b.get("/inbox").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("hanako@example.jp"));
    let (s, page) = b.submit(&format!("/inbox/{m}/assign"), &[("creator", "Nobody Known")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("matches no creator") && page.contains("value=\"Nobody Known\""));
    let (s, to) = b.submit(&format!("/inbox/{m}/assign"), &[("creator", "sato hanako")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(to, format!("/creators/{hanako}"));
    let (s, _) = b.post(&format!("/inbox/{m}/dismiss"), &[("_csrf", "forged")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let viewer = app.person_in("Brand", "viewer@example.com", Role::Viewer).await;
    let (s, _) = app.signed_in(&viewer).await.get("/inbox").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn the_inbox_page_imports_a_file_and_keeps_errors_inline(app: TestApp) {
    let owner = app.workspace("Brand", Role::Owner).await;
    let b = app.signed_in(&owner).await;
    let csrf = b.csrf().await;
    let (s, _) = b.upload("/inbox/import", &[("_csrf", &csrf)], "mail.mbox", &mbox()).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/inbox").await;
    assert!(page.contains("Imported 3 message(s): 0 filed under creators, 3 to review"), "{page}");
    let (s, page) = b.upload("/inbox/import", &[("_csrf", &csrf)], "mail.eml", b"nonsense").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("is not an email message"), "{page}");
    let (s, _) = b.upload("/inbox/import", &[("_csrf", "forged")], "mail.mbox", &mbox()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
