//! Imports through the API: upload with the mapping suggested, settings changed before the
//! run (and refused after), a dry run that writes nothing, a background run followed to the
//! end, the failed rows as CSV, undo; bad input named field by field, read keys refused,
//! and every route isolated per workspace.

use crate::harness::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

crate::db_tests!(
    an_uploaded_file_is_previewed_run_and_undone_through_the_api,
    the_settings_change_before_the_run_and_not_after,
    a_bad_upload_or_setting_is_refused_naming_the_field,
    a_run_is_refused_while_the_mapping_has_problems,
    the_failed_rows_are_a_csv_with_row_numbers_and_reasons,
    a_read_key_cannot_import,
    import_routes_answer_404_for_another_workspaces_imports,
    the_openapi_document_describes_imports_and_settings,
);

/// UTF-8 BOM, `;`, CRLF, quoted newlines, emoji and non-Latin names, a duplicate row, a
/// blank row, "1,2M", profile URLs, and three bad rows.
const MESSY: &[u8] = include_bytes!("../fixtures/creators_messy.csv");

const SMALL: &[u8] = b"Full Name,Username,Followers,Email\nAna Lima,@ana.lima,12.5K,ana@example.com\nBo Chen,bochen,1.2M,bo@example.com\n";

async fn upload(api: &Api, fields: &[(&str, &str)], content: &[u8]) -> (StatusCode, Value) {
    api.upload_with("/imports", fields, "creators.csv", "text/csv", content).await
}

async fn uploaded(api: &Api, fields: &[(&str, &str)], content: &[u8]) -> String {
    let (s, job) = upload(api, fields, content).await;
    assert_eq!(s, StatusCode::CREATED, "{job}");
    job["id"].as_str().unwrap().to_string()
}

/// The import once it is neither running nor undoing.
async fn settled(api: &Api, id: &str) -> Value {
    for _ in 0..300 {
        let (s, job) = api.get(&format!("/imports/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{job}");
        if !matches!(job["status"].as_str(), Some("running" | "undoing")) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not settle in 30 s");
}

async fn creator_names(api: &Api) -> Vec<String> {
    let (s, page) = api.get("/creators?sort=name&limit=200").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap().to_string()).collect()
}

fn fields(v: &Value) -> Vec<String> {
    v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()
}

async fn an_uploaded_file_is_previewed_run_and_undone_through_the_api(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, job) = upload(&api, &[("mode", "create"), ("default_platform", "instagram")], MESSY).await;
    assert_eq!(s, StatusCode::CREATED, "{job}");
    let id = job["id"].as_str().unwrap();
    assert!(id.starts_with("imp_"), "{id}");
    assert_eq!((job["status"].as_str(), job["rows"].as_i64()), (Some("previewed"), Some(10)));
    assert_eq!((job["mode"].as_str(), job["default_platform"].as_str()), (Some("create"), Some("instagram")));
    assert_eq!(
        job["mapping"],
        json!([
            "display_name", "handle", "platform", "followers", "engagement_rate_pct", "email", "profile_url",
            "country", "city", "tags", "bio", "average_views"
        ]),
        "suggested from the header"
    );

    let (s, preview) = api.get(&format!("/imports/{id}/preview")).await;
    assert_eq!(s, StatusCode::OK, "{preview}");
    assert_eq!(preview["columns"][0]["header"], "Full Name");
    assert_eq!(
        (preview["columns"][3]["letter"].as_str(), preview["columns"][3]["target"].as_str()),
        (Some("D"), Some("followers"))
    );
    assert_eq!(preview["problems"], json!([]));
    let counts =
        |v: &Value| [v["created"].as_i64(), v["updated"].as_i64(), v["unchanged"].as_i64(), v["failed"].as_i64()];
    assert_eq!(counts(&preview), [Some(7), Some(0), Some(0), Some(3)]);
    assert_eq!(preview["failures"][0]["row"], 5);
    assert!(creator_names(&api).await.is_empty(), "the dry run wrote nothing");

    let (s, started) = api.post(&format!("/imports/{id}/run"), json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    let done = settled(&api, id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(counts(&done), [Some(7), Some(0), Some(0), Some(3)]);
    assert_eq!((done["rows_done"].as_i64(), done["percent"].as_i64()), (Some(10), Some(100)));
    assert_eq!(done["can_undo"], true);
    assert!(done["finished_at"].is_string());
    assert_eq!(creator_names(&api).await.len(), 7);
    let (_, list) = api.get("/imports").await;
    assert_eq!(list["items"][0]["id"].as_str(), Some(id));

    let (s, undoing) = api.post(&format!("/imports/{id}/undo"), json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{undoing}");
    let undone = settled(&api, id).await;
    assert_eq!((undone["status"].as_str(), undone["can_undo"].as_bool()), (Some("undone"), Some(false)));
    assert!(creator_names(&api).await.is_empty(), "undo removed what the import created");
    let (s, again) = api.post(&format!("/imports/{id}/undo"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
}

async fn the_settings_change_before_the_run_and_not_after(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.creator(
        json!({"display_name": "Ana (old name)", "contact_points": [{"kind": "email", "value": "ana@example.com"}]}),
    )
    .await;
    let id = uploaded(&api, &[], SMALL).await;
    let (s, job) = api
        .put(
            &format!("/imports/{id}"),
            json!({"mode": "upsert", "match_key": "email", "default_platform": "instagram"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{job}");
    assert_eq!((job["mode"].as_str(), job["match_key"].as_str()), (Some("upsert"), Some("email")));
    assert_eq!(job["default_platform"], "instagram");
    assert_eq!(job["mapping"], json!(["display_name", "handle", "followers", "email"]), "the mapping is kept");
    // Leave the followers out of this import.
    let (s, job) =
        api.put(&format!("/imports/{id}"), json!({"mapping": ["display_name", "handle", "ignore", "email"]})).await;
    assert_eq!(s, StatusCode::OK, "{job}");
    assert_eq!((job["mode"].as_str(), job["default_platform"].as_str()), (Some("upsert"), Some("instagram")), "kept");
    let (_, preview) = api.get(&format!("/imports/{id}/preview")).await;
    assert_eq!((preview["created"].as_i64(), preview["updated"].as_i64()), (Some(1), Some(1)), "{preview}");
    assert_eq!(preview["columns"][2]["target"], "ignore");

    assert_eq!(api.post(&format!("/imports/{id}/run"), json!({})).await.0, StatusCode::ACCEPTED);
    assert_eq!(settled(&api, &id).await["status"], "completed");
    assert_eq!(creator_names(&api).await, ["Ana Lima", "Bo Chen"], "Ana was updated by email, Bo created");
    let (_, bo) = api.get("/creators?q=Bo%20Chen").await;
    assert!(bo["items"][0]["social_accounts"][0]["followers"].is_null(), "the ignored column was not imported");

    let (s, v) = api.put(&format!("/imports/{id}"), json!({"mode": "create"})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{v}");
    assert_eq!(
        api.delete(&format!("/imports/{id}")).await.0,
        StatusCode::CONFLICT,
        "a run import is undone, not discarded"
    );
    assert_eq!(api.post(&format!("/imports/{id}/run"), json!({})).await.0, StatusCode::CONFLICT);

    let other = uploaded(&api, &[], SMALL).await;
    assert_eq!(api.delete(&format!("/imports/{other}")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&format!("/imports/{other}")).await.0, StatusCode::NOT_FOUND);
}

async fn a_bad_upload_or_setting_is_refused_naming_the_field(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) =
        upload(&api, &[("mode", "merge"), ("match_key", "phone"), ("default_platform", "myspace")], SMALL).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["mode", "match_key", "default_platform"]);
    let (s, v) = upload(&api, &[], b"Full Name,Email\n").await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["file".to_string()]), "a header without rows");
    let (s, v) = api.post("/imports", json!({"file": "Full Name\nAna"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["file".to_string()]), "not multipart");
    let (_, list) = api.get("/imports").await;
    assert_eq!(list["items"], json!([]), "nothing refused was stored");

    let id = uploaded(&api, &[], SMALL).await;
    let (s, v) =
        api.put(&format!("/imports/{id}"), json!({"mapping": ["display_name", "shoe_size"], "colour": "red"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["colour".to_string()]), "{v}");
    let (s, v) = api.put(&format!("/imports/{id}"), json!({"mapping": ["display_name", "shoe_size"]})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["mapping.1".to_string()]), "{v}");
    let (s, v) = api.put(&format!("/imports/{id}"), json!({"default_platform": "myspace"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["default_platform".to_string()]), "{v}");
    let (_, job) = api.get(&format!("/imports/{id}")).await;
    assert_eq!(job["mapping"], json!(["display_name", "handle", "followers", "email"]), "nothing refused was kept");
}

async fn a_run_is_refused_while_the_mapping_has_problems(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let id = uploaded(&api, &[], SMALL).await;
    // Two columns for one name, and an update keyed on an email no column gives.
    let (s, job) = api
        .put(&format!("/imports/{id}"), json!({"mode": "update", "match_key": "email", "mapping": ["display_name", "display_name", "ignore", "ignore"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{job}");
    let (_, preview) = api.get(&format!("/imports/{id}/preview")).await;
    let problems: Vec<&str> =
        preview["problems"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert!(problems.contains(&"match_key"), "{preview}");
    let (s, v) = api.post(&format!("/imports/{id}/run"), json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).contains(&"match_key".to_string()), "{v}");
    let (_, job) = api.get(&format!("/imports/{id}")).await;
    assert_eq!(job["status"], "previewed", "it did not start");
    assert!(creator_names(&api).await.is_empty());
}

async fn the_failed_rows_are_a_csv_with_row_numbers_and_reasons(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let id = uploaded(&api, &[("default_platform", "instagram")], MESSY).await;
    assert_eq!(api.post(&format!("/imports/{id}/run"), json!({})).await.0, StatusCode::ACCEPTED);
    assert_eq!(settled(&api, &id).await["failed"], 3);
    let r = api.get_raw(&format!("/imports/{id}/errors")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers().unwrap().iter().take(3).collect::<Vec<_>>(), ["row", "error", "Full Name"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(|r| r[0].to_string()).collect::<Vec<_>>(), ["5", "6", "10"]);
    assert!(rows[1][1].contains("followers: “lots” is not a number"), "{}", &rows[1][1]);
}

async fn a_read_key_cannot_import(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let id = uploaded(&api, &[], SMALL).await;
    let reader = app.api(&app.key(p.workspace, "read").await);
    assert_eq!(upload(&reader, &[], SMALL).await.0, StatusCode::FORBIDDEN);
    assert_eq!(reader.put(&format!("/imports/{id}"), json!({"mode": "upsert"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(reader.post(&format!("/imports/{id}/run"), json!({})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(reader.delete(&format!("/imports/{id}")).await.0, StatusCode::FORBIDDEN);
    let (_, job) = api.get(&format!("/imports/{id}")).await;
    assert_eq!((job["status"].as_str(), job["mode"].as_str()), (Some("previewed"), Some("create")));
}

async fn import_routes_answer_404_for_another_workspaces_imports(app: TestApp) {
    let (a, _) = app.api_in_new_workspace("Alpha").await;
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let waiting = uploaded(&a, &[], SMALL).await;
    let done = uploaded(&a, &[("default_platform", "instagram")], MESSY).await;
    assert_eq!(a.post(&format!("/imports/{done}/run"), json!({})).await.0, StatusCode::ACCEPTED);
    settled(&a, &done).await;
    for id in [&waiting, &done] {
        let routes = [
            ("GET", format!("/imports/{id}")),
            ("PUT", format!("/imports/{id}")),
            ("DELETE", format!("/imports/{id}")),
            ("GET", format!("/imports/{id}/preview")),
            ("POST", format!("/imports/{id}/run")),
            ("POST", format!("/imports/{id}/undo")),
            ("GET", format!("/imports/{id}/errors")),
        ];
        for (method, path) in &routes {
            let (s, v) = match *method {
                "GET" => b.get(path).await,
                "PUT" => b.put(path, json!({"mode": "upsert"})).await,
                "DELETE" => b.delete(path).await,
                _ => b.post(path, json!({})).await,
            };
            assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}: {v}");
        }
    }
    assert_eq!(b.get("/imports").await.1["items"], json!([]));
    let (_, waiting_job) = a.get(&format!("/imports/{waiting}")).await;
    assert_eq!((waiting_job["status"].as_str(), waiting_job["mode"].as_str()), (Some("previewed"), Some("create")));
    assert_eq!(a.get(&format!("/imports/{done}")).await.1["status"], "completed", "not undone by Beta");
    assert_eq!(creator_names(&a).await.len(), 7);
}

async fn the_openapi_document_describes_imports_and_settings(app: TestApp) {
    let v: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    for path in [
        "/imports", "/imports/{id}", "/imports/{id}/preview", "/imports/{id}/run", "/imports/{id}/undo",
        "/imports/{id}/errors", "/settings/brand-profile", "/settings/tiers",
    ] {
        assert!(v["paths"][path].is_object(), "{path} is missing");
    }
    assert!(v["paths"]["/imports"]["post"]["requestBody"]["content"]["multipart/form-data"].is_object());
    for schema in ["ImportJob", "ImportPreview", "ImportSettings", "BrandProfile", "TierBounds"] {
        assert!(v["components"]["schemas"][schema].is_object(), "{schema} is missing");
    }
    assert!(v["components"]["schemas"]["TierBounds"]["properties"]["macro"].is_object());
}
