//! File uploads through the API and their serving: the type sniffed from the bytes (the
//! client's claim ignored), markup refused, the size limit naming `file`, the bytes stored
//! under the data directory by SHA-256 and shared by identical uploads, safe serving
//! headers on the API and the signed-in route, read keys, missing keys and tenant isolation.

use crate::harness::{Api, MAX_UPLOAD_BYTES, TestApp};
use rapport_app::Ctx;
use rapport_core::actor::Actor;
use rapport_core::ids::FileId;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

crate::db_tests!(
    an_uploaded_png_keeps_its_sniffed_type_its_sha256_and_its_bytes,
    html_claiming_to_be_a_png_is_refused_naming_file,
    an_svg_with_a_script_is_refused_whatever_it_claims,
    a_file_over_the_limit_is_refused_naming_file_while_one_past_the_default_body_limit_is_accepted,
    an_empty_or_missing_file_is_refused_naming_file,
    the_bytes_live_under_the_data_directory_at_their_content_address,
    identical_uploads_share_their_stored_bytes,
    a_signed_in_person_gets_a_document_as_a_download_with_the_safe_headers,
    another_workspaces_file_is_not_found,
    a_read_key_reads_files_but_cannot_upload_or_delete,
    a_deleted_file_is_no_longer_found_and_other_features_look_files_up_by_id,
    without_a_key_files_are_unauthorized,
    the_openapi_document_describes_files,
);

/// A small PNG: the signature, then an IHDR chunk header and some bytes.
fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    b.extend_from_slice(&[7u8; 64]);
    b
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn field_messages(v: &Value) -> Vec<(String, String)> {
    v["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (f["field"].as_str().unwrap_or("").to_string(), f["message"].as_str().unwrap_or("").to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Uploads and asserts 201.
async fn upload(api: &Api, name: &str, claimed: &str, bytes: &[u8]) -> Value {
    let (s, v) = api.upload("/files", name, claimed, bytes).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

fn files_dir(app: &TestApp) -> PathBuf {
    app.app.config.files.dir.clone().unwrap()
}

async fn an_uploaded_png_keeps_its_sniffed_type_its_sha256_and_its_bytes(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let bytes = png();
    let v = upload(&api, "../../Photos/Shoot\u{202e}1.png", "application/octet-stream", &bytes).await;
    let id = v["id"].as_str().unwrap();
    assert!(id.starts_with("fl_"), "{v}");
    assert_eq!(v["name"], "Shoot1.png");
    assert_eq!(v["content_type"], "image/png");
    assert_eq!(v["size_bytes"], bytes.len());
    assert_eq!(v["sha256"], sha256_hex(&bytes));

    let (s, meta) = api.get(&format!("/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(meta, v);

    let r = api.get_raw(&format!("/files/{id}/content")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "image/png");
    assert!(header(&r, "content-disposition").starts_with("inline; filename=\"Shoot1.png\""));
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    assert_eq!(header(&r, "content-security-policy"), "default-src 'none'; sandbox");
    assert!(header(&r, "cache-control").starts_with("private"));
    assert_eq!(header(&r, "etag"), format!("\"{}\"", sha256_hex(&bytes)));
    assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

async fn html_claiming_to_be_a_png_is_refused_naming_file(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let html = b"<!doctype html><html><body><script>fetch('/api/v1/creators')</script></body></html>";
    let (s, v) = api.upload("/files", "innocent.png", "image/png", html).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let errors = field_messages(&v);
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0].0, "file");
    assert!(errors[0].1.contains("HTML") && errors[0].1.contains("text/html"), "{v}");
    assert_no_stored_bytes(&app);
}

async fn an_svg_with_a_script_is_refused_whatever_it_claims(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    for (name, claimed) in [("logo.svg", "image/svg+xml"), ("logo.png", "image/png"), ("logo.txt", "text/plain")] {
        let (s, v) = api.upload("/files", name, claimed, svg).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{claimed}: {v}");
        let errors = field_messages(&v);
        assert_eq!(errors[0].0, "file");
        assert!(errors[0].1.contains("image/svg+xml"), "{v}");
    }
    assert_no_stored_bytes(&app);
}

/// Nothing was written to the file store (refusals happen before any write).
fn assert_no_stored_bytes(app: &TestApp) {
    let dir = files_dir(app);
    let entries = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(entries, 0, "{} should hold nothing", dir.display());
}

async fn a_file_over_the_limit_is_refused_naming_file_while_one_past_the_default_body_limit_is_accepted(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let mut big = png();
    big.resize(5 * 1024 * 1024 / 2, 0); // 2.5 MiB: past axum's default 2 MB body limit
    let v = upload(&api, "big.png", "image/png", &big).await;
    assert_eq!(v["size_bytes"], big.len());

    let mut too_big = png();
    too_big.resize(usize::try_from(MAX_UPLOAD_BYTES).unwrap() + 1, 0);
    let (s, v) = api.upload("/files", "huge.png", "image/png", &too_big).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let errors = field_messages(&v);
    assert_eq!(errors[0].0, "file");
    assert!(errors[0].1.contains("larger than 3 MB"), "{v}");
}

async fn an_empty_or_missing_file_is_refused_naming_file(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.upload("/files", "empty.png", "image/png", b"").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_messages(&v), vec![("file".to_string(), "is empty".to_string())]);

    let (s, v) = api.post("/files", serde_json::json!({"file": "aGVsbG8="})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(field_messages(&v)[0].0, "file");
}

async fn the_bytes_live_under_the_data_directory_at_their_content_address(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let bytes = png();
    let sha = sha256_hex(&bytes);
    upload(&api, "pic.png", "image/png", &bytes).await;
    let path = files_dir(&app).join(&sha[0..2]).join(&sha[2..4]).join(&sha);
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", path.display());
}

/// Every stored blob under the file store (temporary files excluded).
fn stored_blobs(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for a in std::fs::read_dir(dir).unwrap().flatten().filter(|e| e.file_name() != "tmp") {
        for b in std::fs::read_dir(a.path()).unwrap().flatten() {
            out.extend(std::fs::read_dir(b.path()).unwrap().flatten().map(|e| e.path()));
        }
    }
    out
}

async fn identical_uploads_share_their_stored_bytes(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (other, _) = app.api_in_new_workspace("Globex").await;
    let first = upload(&api, "a.png", "image/png", &png()).await;
    let second = upload(&api, "b.png", "image/png", &png()).await;
    let third = upload(&other, "c.png", "image/png", &png()).await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["sha256"], second["sha256"]);
    assert_eq!(second["name"], "b.png", "each upload keeps its own name");
    assert_eq!(stored_blobs(&files_dir(&app)).len(), 1);
    // Still each workspace's own record.
    let (s, _) = api.get(&format!("/files/{}", third["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn a_signed_in_person_gets_a_document_as_a_download_with_the_safe_headers(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let text = "Caption draft: café ☕ <b>not html</b>\n".as_bytes();
    let v = upload(&api, "Brief – v2.txt", "text/html", text).await;
    assert_eq!(v["content_type"], "text/plain; charset=utf-8");
    let b = app.signed_in(&person).await;
    let r = b.client.get(format!("{}/files/{}", b.base, v["id"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        header(&r, "content-disposition"),
        "attachment; filename=\"Brief _ v2.txt\"; filename*=UTF-8''Brief%20%E2%80%93%20v2.txt"
    );
    assert_eq!(header(&r, "content-security-policy"), "default-src 'none'; sandbox");
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), text);

    // Without a session, the sign-in page.
    let anon = app.browser().await;
    let (s, to) = anon.get(&format!("/files/{}", v["id"].as_str().unwrap())).await;
    assert!(s.is_redirection(), "{s} {to}");
}

async fn another_workspaces_file_is_not_found(app: TestApp) {
    let (owner, _) = app.api_in_new_workspace("Acme").await;
    let (api, person) = app.api_in_new_workspace("Globex").await;
    let id = upload(&owner, "pic.png", "image/png", &png()).await["id"].as_str().unwrap().to_string();
    let (s, v) = api.get(&format!("/files/{id}")).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert_eq!(api.get_raw(&format!("/files/{id}/content")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.get_raw("/files/fl_nonsense/content").await.status(), StatusCode::NOT_FOUND);
    let b = app.signed_in(&person).await;
    let (s, _) = b.get(&format!("/files/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn a_read_key_reads_files_but_cannot_upload_or_delete(app: TestApp) {
    let (writer, person) = app.api_in_new_workspace("Acme").await;
    let id = upload(&writer, "pic.png", "image/png", &png()).await["id"].as_str().unwrap().to_string();
    let reader = app.api(&app.key(person.workspace, "read").await);
    let (s, v) = reader.upload("/files", "pic.png", "image/png", &png()).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{v}");
    let (s, _) = reader.get(&format!("/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(reader.get_raw(&format!("/files/{id}/content")).await.status(), StatusCode::OK);
    let (s, _) = reader.delete(&format!("/files/{id}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A viewer signed in may read too.
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let (s, _) = app.signed_in(&viewer).await.get(&format!("/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
}

async fn a_deleted_file_is_no_longer_found_and_other_features_look_files_up_by_id(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let (other, _) = app.api_in_new_workspace("Globex").await;
    let kept = upload(&api, "kept.png", "image/png", &png()).await;
    let gone = upload(&api, "gone.png", "image/png", &png()).await;
    let foreign = upload(&other, "foreign.png", "image/png", &png()).await;
    let gone_id = gone["id"].as_str().unwrap();
    let (s, _) = other.delete(&format!("/files/{gone_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another workspace cannot delete it");
    let (s, _) = api.delete(&format!("/files/{gone_id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = api.get(&format!("/files/{gone_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api.delete(&format!("/files/{gone_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The bytes stay: "kept" shares them.
    assert_eq!(api.get_raw(&format!("/files/{}/content", kept["id"].as_str().unwrap())).await.status(), StatusCode::OK);

    let ctx = Ctx::system(person.workspace, Actor::System, "test");
    let ids: Vec<FileId> =
        [&kept, &gone, &foreign].iter().map(|v| v["id"].as_str().unwrap().parse().unwrap()).collect();
    let mut r = app.app.db.read().await.unwrap();
    let found = rapport_app::files::list(&mut r.conn(), &ctx, &ids).await.unwrap();
    assert_eq!(found.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), vec!["kept.png"]);
    let one = rapport_app::files::get(&mut r.conn(), &ctx, ids[0]).await.unwrap();
    assert_eq!(one.sha256, kept["sha256"].as_str().unwrap());
    assert!(matches!(rapport_app::files::get(&mut r.conn(), &ctx, ids[2]).await, Err(rapport_app::AppError::NotFound)));
}

async fn without_a_key_files_are_unauthorized(app: TestApp) {
    let (writer, _) = app.api_in_new_workspace("Acme").await;
    let id = upload(&writer, "pic.png", "image/png", &png()).await["id"].as_str().unwrap().to_string();
    let anon = app.api("rap_not_a_real_key");
    let (s, _) = anon.upload("/files", "pic.png", "image/png", &png()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let r = reqwest::Client::new().get(app.url(&format!("/api/v1/files/{id}/content"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = reqwest::Client::new().get(app.url(&format!("/api/v1/files/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn the_openapi_document_describes_files(app: TestApp) {
    let v: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(v["paths"]["/files/{id}"]["delete"].is_object());
    for path in ["/files", "/files/{id}", "/files/{id}/content"] {
        assert!(v["paths"][path].is_object(), "{path}");
    }
    assert_eq!(v["paths"]["/files"]["post"]["tags"][0], "files");
    assert!(v["paths"]["/files"]["post"]["requestBody"]["content"]["multipart/form-data"].is_object());
    assert!(v["components"]["schemas"]["FileView"].is_object());
}
