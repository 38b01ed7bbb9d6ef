//! The creators API: validation, duplicates, transactions, pagination, filters, soft
//! delete, timeline diffs, accounts with snapshots, notes, tags, OpenAPI.

use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_creator_is_created_with_normalised_accounts_and_a_tier,
    bad_input_is_a_422_that_names_every_bad_field,
    unknown_fields_and_malformed_json_are_named,
    an_unknown_platform_lists_the_accepted_ones,
    a_duplicate_handle_is_a_409_naming_the_existing_creator,
    a_duplicate_email_is_a_409_naming_the_existing_creator,
    a_failed_multi_row_create_leaves_nothing_behind,
    pagination_is_stable_while_creators_are_inserted,
    a_page_asked_without_its_total_leaves_the_count_out,
    filters_narrow_the_list,
    soft_delete_hides_a_creator_until_it_is_restored,
    a_patch_changes_only_the_given_fields_and_the_timeline_records_the_diff,
    new_metrics_on_an_account_are_kept_as_snapshots,
    removing_an_account_recomputes_the_largest_following,
    notes_are_added_listed_and_deleted,
    tags_are_counted_across_live_creators,
    the_openapi_document_describes_the_api,
    health_and_readiness_answer,
    exports_follow_the_filters_as_csv_and_json,
    an_export_of_a_search_lists_every_match_in_the_searchs_order,
    listed_creators_show_contacts_tags_and_accounts_in_order,
);

async fn exports_follow_the_filters_as_csv_and_json(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for i in 0..250 {
        let platform = if i % 2 == 0 { "instagram" } else { "tiktok" };
        api.creator(json!({"display_name": format!("Creator, \"{i}\""), "tags": ["x"],
            "social_accounts": [{"platform": platform, "handle": format!("@c{i}"), "followers": 1000 + i, "engagement_rate_pct": 2.5}]}))
        .await;
    }
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/creators/export?format=csv&platform=instagram"))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let body = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[1], "display_name");
    assert!(header.iter().any(|h| h == "instagram_followers"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 125, "every page, only the filtered creators");
    let name_col = 1;
    assert!(rows.iter().all(|r| r[name_col].starts_with("Creator, \"")), "quotes and commas survive");
    let ig = header.iter().position(|h| h == "instagram_handle").unwrap();
    assert!(rows.iter().all(|r| r[ig].starts_with('c')));
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/creators/export?format=json&tag=x"))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    let all: Value = r.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 250);
    let (s, v) = api.get("/creators/export?format=xml").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "format");
    let (s, v) = api.get("/creators/export?tier=huge").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "tier");
}

/// A search (a niche filter, sorted by engagement) is exported from every match's id, read from
/// the index at once, rather than by paging the search: the file holds the listing's matches,
/// in its order, over more than one of the export's reads; a deleted creator is left out.
async fn an_export_of_a_search_lists_every_match_in_the_searchs_order(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let mut gone = None;
    for i in 0..330i64 {
        let c = api
            .creator(json!({"display_name": format!("Creator {i}"), "niches": if i % 3 == 0 { vec!["travel"] } else { vec!["food"] },
                "social_accounts": [{"platform": "instagram", "handle": format!("@c{i}"), "followers": 1000 + i,
                    "engagement_rate_pct": ((i * 37) % 100) as f64 / 10.0}]}))
            .await;
        if i == 7 {
            gone = c["id"].as_str().map(str::to_owned);
        }
    }
    let (s, _) = api.delete(&format!("/creators/{}", gone.unwrap())).await;
    assert!(s.is_success());
    let query = "niche=food&sort=-engagement";
    let (mut listed, mut url) = (Vec::new(), format!("/creators?{query}&limit=50"));
    loop {
        let (s, v) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        listed.extend(v["items"].as_array().unwrap().iter().map(|c| c["id"].clone()));
        match v["next_cursor"].as_str() {
            Some(c) => url = format!("/creators?{query}&limit=50&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(listed.len(), 219, "two in three are food creators, one of them deleted");
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/creators/export?format=json&{query}")))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let exported: Value = r.json().await.unwrap();
    let exported: Vec<Value> = exported.as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
    assert_eq!(exported, listed);
}

async fn a_creator_is_created_with_normalised_accounts_and_a_tier(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = api
        .creator(json!({
            "display_name": "Lena Bakes",
            "country": "de",
            "contact_points": [{"kind": "email", "value": "Lena@Example.com"}],
            "social_accounts": [
                {"platform": "Instagram", "handle": "https://www.instagram.com/Lena.Bakes/", "followers": 120000,
                 "engagement_rate_pct": 3.4, "audience": {"countries": {"DE": 61.5, "AT": 12}}},
                {"platform": "tiktok", "handle": "@lenabakes", "followers": 8000, "average_views": 4000}
            ]
        }))
        .await;
    assert!(c["id"].as_str().unwrap().starts_with("cr_"));
    assert_eq!(c["country"], "DE");
    assert_eq!(c["primary_email"], "Lena@Example.com");
    assert_eq!(c["max_followers"], 120000);
    assert_eq!(c["tier"], "mid");
    assert_eq!(c["stage"], "discovered");
    let accounts = c["social_accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["handle"], "Lena.Bakes");
    assert_eq!(accounts[0]["url"], "https://www.instagram.com/Lena.Bakes/");
    assert_eq!(accounts[0]["engagement_basis"], "followers");
    assert_eq!(accounts[1]["engagement_basis"], "views");
    assert_eq!(accounts[0]["source"], "manual");
    assert_eq!(accounts[0]["stale"], false);
    assert_eq!(accounts[0]["audience"]["countries"], json!({"DE": 61.5, "AT": 12.0}));
    let none = json!({"countries": {}, "age_bands": {}, "genders": {}, "languages": {}});
    assert_eq!(accounts[1]["audience"], none, "an account without a breakdown shows an empty one");
}

async fn bad_input_is_a_422_that_names_every_bad_field(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api
        .post(
            "/creators",
            json!({
                "display_name": "  ",
                "country": "Germany",
                "stage": "famous",
                "contact_points": [{"kind": "email", "value": "not-an-email"}],
                "social_accounts": [{"platform": "instagram", "handle": "@ok", "followers": -5}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["code"], "invalid_input");
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    for f in ["display_name", "country", "stage", "contact_points.0.value", "social_accounts.0.followers"] {
        assert!(fields.contains(&f), "{f} missing in {v}");
    }
    assert!(v["fields"].as_array().unwrap().iter().all(|f| !f["message"].as_str().unwrap().is_empty()));
    let (_, list) = api.get("/creators").await;
    assert_eq!(list["total"], 0, "nothing may be stored");
}

async fn unknown_fields_and_malformed_json_are_named(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api.post("/creators", json!({"display_name": "A", "followers": 10})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "followers");
    let (s, v) = api
        .post(
            "/creators",
            json!({"display_name": "A", "social_accounts": [{"platform": "x", "handle": "a", "followers": "many"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "social_accounts.0.followers", "{v}");
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/creators"))
        .bearer_auth(&api.key)
        .header("content-type", "application/json")
        .body("{\"display_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["fields"][0]["field"], "body");
}

async fn an_unknown_platform_lists_the_accepted_ones(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, v) = api
        .post("/creators", json!({"display_name": "A", "social_accounts": [{"platform": "myspace", "handle": "a"}]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "social_accounts.0.platform");
    let msg = v["fields"][0]["message"].as_str().unwrap();
    assert!(msg.contains("instagram") && msg.contains("tiktok") && msg.contains("youtube"), "{msg}");
}

async fn a_duplicate_handle_is_a_409_naming_the_existing_creator(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let first = api
        .creator(
            json!({"display_name": "Lena", "social_accounts": [{"platform": "instagram", "handle": "@Lena.Bakes"}]}),
        )
        .await;
    let (s, v) = api
        .post(
            "/creators",
            json!({"display_name": "Other", "social_accounts": [{"platform": "instagram", "handle": "instagram.com/lena.bakes"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["code"], "duplicate");
    assert_eq!(v["existing"]["id"], first["id"]);
    assert_eq!(v["existing"]["display_name"], "Lena");
    assert_eq!(v["field"], "social_accounts.0.handle");
    // The same handle on another platform is someone else.
    api.creator(json!({"display_name": "Other", "social_accounts": [{"platform": "tiktok", "handle": "@lena.bakes"}]}))
        .await;
    // Adding it as a separate account is refused too.
    let other = api.creator(json!({"display_name": "Third"})).await;
    let (s, v) = api
        .post(
            &format!("/creators/{}/accounts", other["id"].as_str().unwrap()),
            json!({"platform": "instagram", "handle": "LENA.BAKES"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["existing"]["id"], first["id"]);
}

async fn a_duplicate_email_is_a_409_naming_the_existing_creator(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let first = api.creator(json!({"display_name": "Lena", "contact_points": [{"value": "lena@example.com"}]})).await;
    let (s, v) = api
        .post("/creators", json!({"display_name": "Lena 2", "contact_points": [{"value": " LENA@example.COM "}]}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["existing"]["id"], first["id"]);
    assert!(v["message"].as_str().unwrap().contains("Lena"), "{v}");
    // Editing another creator to take the address is refused as well.
    let second = api.creator(json!({"display_name": "Kai"})).await;
    let (s, _) = api
        .patch(
            &format!("/creators/{}", second["id"].as_str().unwrap()),
            json!({"contact_points": [{"value": "lena@example.com"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

async fn a_failed_multi_row_create_leaves_nothing_behind(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "Taken", "social_accounts": [{"platform": "youtube", "handle": "@taken"}]}))
        .await;
    let (s, _) = api
        .post(
            "/creators",
            json!({"display_name": "New", "social_accounts": [
                {"platform": "instagram", "handle": "@fresh"},
                {"platform": "youtube", "handle": "@taken"}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, list) = api.get("/creators").await;
    assert_eq!(list["total"], 1);
    // @fresh was not half-written: it can be used now.
    api.creator(json!({"display_name": "New", "social_accounts": [{"platform": "instagram", "handle": "@fresh"}]}))
        .await;
}

fn ids(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

async fn pagination_is_stable_while_creators_are_inserted(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let mut original = Vec::new();
    for i in 0..25 {
        // Several creators share a name, so the id tie-breaker matters.
        let c = api.creator(json!({"display_name": format!("m creator {}", i / 3)})).await;
        original.push(c["id"].as_str().unwrap().to_string());
    }
    for sort in ["name", "-updated_at", "followers", "-created_at"] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut round = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/creators?limit=7&sort={sort}&cursor={c}"),
                None => format!("/creators?limit=7&sort={sort}"),
            };
            let (s, page) = api.get(&path).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            seen.extend(ids(&page));
            // Insert creators that sort before and after the current position.
            api.creator(json!({"display_name": format!("a inserted {sort} {round}")})).await;
            api.creator(json!({"display_name": format!("z inserted {sort} {round}")})).await;
            round += 1;
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), seen.len(), "{sort}: a creator was shown twice");
        for id in &original {
            assert!(seen.contains(id), "{sort}: {id} was skipped");
        }
    }
    let (s, v) = api.get("/creators?sort=name&cursor=bogus").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "cursor");
}

async fn a_page_asked_without_its_total_leaves_the_count_out(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for (name, followers) in [("Ana", 5000), ("Bea", 20000), ("Cem", 90000)] {
        api.creator(json!({"display_name": name, "country": "DE", "niches": ["food"],
            "social_accounts": [{"platform": "instagram", "handle": name, "followers": followers}]}))
            .await;
    }
    // A database listing (filters only) and an index one (text), each paged to the end.
    for query in ["platform=instagram&country=DE&sort=-followers", "q=food&sort=-followers"] {
        let (_, counted) = api.get(&format!("/creators?{query}&limit=2")).await;
        assert_eq!(counted["total"], 3, "{query}: counted by default");
        let (s, first) = api.get(&format!("/creators?{query}&limit=2&total=false")).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert!(first.get("total").is_none(), "{query}: {first}");
        let cursor = first["next_cursor"].as_str().unwrap();
        let (_, second) = api.get(&format!("/creators?{query}&limit=2&total=false&cursor={cursor}")).await;
        let names: Vec<&str> = [&first, &second]
            .iter()
            .flat_map(|p| p["items"].as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap()))
            .collect();
        assert_eq!(names, ["Cem", "Bea", "Ana"], "{query}");
        assert!(second.get("next_cursor").is_none_or(Value::is_null), "{query}: {second}");
    }
    let (s, v) = api.get("/creators?total=perhaps").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "total");
}

async fn filters_narrow_the_list(app: TestApp) {
    let (api, owner) = app.api_in_new_workspace("Acme").await;
    let _ = owner;
    api.creator(json!({"display_name": "Ana Lima", "country": "BR", "tags": ["vip", "food"], "stage": "qualified",
        "social_accounts": [{"platform": "instagram", "handle": "@analima", "followers": 250000}]}))
        .await;
    api.creator(json!({"display_name": "Ben Ode", "country": "NG", "tags": ["food"],
        "contact_points": [{"value": "ben@studio.example"}],
        "social_accounts": [{"platform": "youtube", "handle": "@benode", "followers": 5000}]}))
        .await;
    api.creator(json!({"display_name": "Cleo Wu", "country": "BR", "social_accounts": [{"platform": "tiktok", "handle": "@cleo", "followers": 2000000}]}))
    .await;
    let names = |v: &Value| -> Vec<String> {
        let mut n: Vec<String> =
            v["items"].as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap().to_string()).collect();
        n.sort();
        n
    };
    for (query, want) in [
        ("country=br", vec!["Ana Lima", "Cleo Wu"]),
        ("tag=food", vec!["Ana Lima", "Ben Ode"]),
        ("tag=food,vip", vec!["Ana Lima"]),
        ("platform=youtube", vec!["Ben Ode"]),
        ("min_followers=100000", vec!["Ana Lima", "Cleo Wu"]),
        ("min_followers=1000&max_followers=300000", vec!["Ana Lima", "Ben Ode"]),
        ("tier=mega", vec!["Cleo Wu"]),
        ("tier=nano", vec!["Ben Ode"]),
        ("stage=qualified", vec!["Ana Lima"]),
        ("q=studio.example", vec!["Ben Ode"]),
        ("q=CLEO", vec!["Cleo Wu"]),
        ("q=lima%20ana", vec!["Ana Lima"]),
        ("owner=none", vec!["Ana Lima", "Ben Ode", "Cleo Wu"]),
        ("q=100%25", vec![]),
        ("updated_since=2000-01-01", vec!["Ana Lima", "Ben Ode", "Cleo Wu"]),
        ("updated_since=2999-01-01T00:00:00Z", vec![]),
    ] {
        let (s, v) = api.get(&format!("/creators?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {v}");
        assert_eq!(names(&v), want, "{query}");
        assert_eq!(v["total"], want.len(), "{query}");
    }
    let (_, v) = api.get("/creators?sort=-followers").await;
    assert_eq!(v["items"][0]["display_name"], "Cleo Wu");
    let (s, v) = api.get("/creators?platform=myspace&min_followers=lots&sort=size").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["platform", "min_followers", "sort"]);
}

async fn soft_delete_hides_a_creator_until_it_is_restored(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = api.creator(json!({"display_name": "Lena"})).await;
    let id = c["id"].as_str().unwrap();
    let (s, _) = api.delete(&format!("/creators/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = api.get("/creators").await;
    assert_eq!(list["total"], 0);
    let (_, deleted) = api.get("/creators?deleted=true").await;
    assert_eq!(ids(&deleted), vec![id.to_string()]);
    let (s, v) = api.get(&format!("/creators/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["deleted_at"].is_string());
    let (s, _) = api.patch(&format!("/creators/{id}"), json!({"city": "Berlin"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a deleted creator cannot be edited");
    let (s, _) = api.delete(&format!("/creators/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = api.post(&format!("/creators/{id}/restore"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["deleted_at"].is_null());
    let (_, list) = api.get("/creators").await;
    assert_eq!(list["total"], 1);
    let (_, t) = api.get(&format!("/creators/{id}/timeline")).await;
    let actions: Vec<&str> = t["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["creator.restored", "creator.deleted", "creator.created"]);
}

async fn a_patch_changes_only_the_given_fields_and_the_timeline_records_the_diff(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = api
        .creator(json!({"display_name": "Lena", "city": "Berlin", "tags": ["vip"], "custom_fields": {"rate_eur": 450},
            "contact_points": [{"value": "lena@example.com"}, {"kind": "phone", "value": "+49 30 123456"}]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let (s, v) = api
        .patch(&format!("/creators/{id}"), json!({"city": "Hamburg", "pronouns": "she/her", "tags": ["vip", "food"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["city"], "Hamburg");
    assert_eq!(v["display_name"], "Lena");
    assert_eq!(v["custom_fields"]["rate_eur"], 450);
    assert_eq!(v["contact_points"].as_array().unwrap().len(), 2);
    let (s, v) = api.patch(&format!("/creators/{id}"), json!({"city": null})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["city"].is_null());
    let (_, t) = api.get(&format!("/creators/{id}/timeline")).await;
    let events = t["items"].as_array().unwrap();
    assert_eq!(events[0]["action"], "creator.updated");
    assert_eq!(events[0]["changes"], json!([{"field": "city", "before": "Hamburg", "after": null}]));
    let first_update = &events[1];
    let changes = first_update["changes"].as_array().unwrap();
    let fields: Vec<&str> = changes.iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["city", "pronouns", "tags"]);
    assert_eq!(changes[0]["before"], "Berlin");
    assert_eq!(changes[0]["after"], "Hamburg");
    assert_eq!(changes[2]["after"], json!(["vip", "food"]));
    assert_eq!(first_update["actor_label"], "API key “test key”");
    assert!(first_update["actor"].as_str().unwrap().starts_with("api_key:"));
    // A patch that changes nothing records nothing.
    api.patch(&format!("/creators/{id}"), json!({"display_name": "Lena"})).await;
    let (_, t2) = api.get(&format!("/creators/{id}/timeline")).await;
    assert_eq!(t2["items"].as_array().unwrap().len(), events.len());
}

async fn new_metrics_on_an_account_are_kept_as_snapshots(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = api
        .creator(json!({"display_name": "Lena", "social_accounts": [{"platform": "instagram", "handle": "@lena", "followers": 9000,
            "observed_at": "2026-01-01T00:00:00Z", "source": "csv import"}]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let account = c["social_accounts"][0]["id"].as_str().unwrap();
    assert_eq!(c["social_accounts"][0]["stale"], true, "January data is stale by November");
    assert_eq!(c["tier"], "nano");
    let (s, a) = api.patch(&format!("/creators/{id}/accounts/{account}"), json!({"followers": 12000})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["followers"], 12000);
    assert_eq!(a["stale"], false, "new figures without a time were observed now");
    let (_, snaps) = api.get(&format!("/creators/{id}/accounts/{account}/snapshots")).await;
    let f: Vec<i64> = snaps.as_array().unwrap().iter().map(|s| s["followers"].as_i64().unwrap()).collect();
    assert_eq!(f, vec![9000, 12000]);
    assert_eq!(snaps[0]["source"], "csv import");
    let (_, c) = api.get(&format!("/creators/{id}")).await;
    assert_eq!(c["tier"], "micro");
    assert_eq!(c["max_followers"], 12000);
}

async fn removing_an_account_recomputes_the_largest_following(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = api
        .creator(json!({"display_name": "Lena", "social_accounts": [
            {"platform": "instagram", "handle": "@lena", "followers": 600000},
            {"platform": "tiktok", "handle": "@lena", "followers": 20000}]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let big = c["social_accounts"][0]["id"].as_str().unwrap();
    let (s, _) = api.delete(&format!("/creators/{id}/accounts/{big}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, c) = api.get(&format!("/creators/{id}")).await;
    assert_eq!(c["max_followers"], 20000);
    assert_eq!(c["tier"], "micro");
    let (_, t) = api.get(&format!("/creators/{id}/timeline")).await;
    assert_eq!(t["items"][0]["action"], "account.removed");
}

async fn notes_are_added_listed_and_deleted(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let c = api.creator(json!({"display_name": "Lena"})).await;
    let id = c["id"].as_str().unwrap();
    let (s, v) = api.post(&format!("/creators/{id}/notes"), json!({"body": "   "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "body");
    let (s, n) = api.post(&format!("/creators/{id}/notes"), json!({"body": "Met at VidCon."})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = api.get(&format!("/creators/{id}/notes")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["body"], "Met at VidCon.");
    let (s, _) = api.delete(&format!("/creators/{id}/notes/{}", n["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = api.get(&format!("/creators/{id}/notes")).await;
    assert!(list.as_array().unwrap().is_empty());
}

async fn tags_are_counted_across_live_creators(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "A", "tags": ["VIP", "food"]})).await;
    let b = api.creator(json!({"display_name": "B", "tags": ["vip"]})).await;
    api.creator(json!({"display_name": "C", "tags": ["vip"]})).await;
    api.delete(&format!("/creators/{}", b["id"].as_str().unwrap())).await;
    let (s, v) = api.get("/tags").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!([{"tag": "food", "creators": 1}, {"tag": "vip", "creators": 2}]));
}

async fn the_openapi_document_describes_the_api(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (s, doc) = api.get("/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/creators", "/creators/{id}", "/creators/{id}/accounts", "/creators/{id}/notes", "/creators/{id}/timeline",
        "/tags", "/creators/export", "/shortlists", "/shortlists/{id}", "/shortlists/{id}/members",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["CreatorInput"].is_object());
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
}

async fn health_and_readiness_answer(app: TestApp) {
    for path in ["/healthz", "/readyz"] {
        let r = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(r.headers().contains_key("x-request-id"));
    }
}

/// A page reads its creators' contact points, tags and accounts in one statement; each keeps
/// its own order: contact points primary first, then by kind and value; tags by name;
/// accounts largest following first — on the database's pages, the index's and one creator's.
async fn listed_creators_show_contacts_tags_and_accounts_in_order(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for (name, shift) in [("Ana Lima", 0), ("Bea Costa", 1)] {
        api.creator(json!({"display_name": name, "niches": ["food"], "tags": ["zeta", "alpha", "mid"],
            "contact_points": [
                {"kind": "website", "value": format!("https://{shift}.example.com")},
                {"kind": "email", "value": format!("b{shift}@example.com")},
                {"kind": "email", "value": format!("z{shift}@example.com"), "primary": true},
                {"kind": "phone", "value": format!("+49 30 12345{shift}")}],
            "social_accounts": [
                {"platform": "tiktok", "handle": format!("@t{shift}"), "followers": 5000 + shift},
                {"platform": "youtube", "handle": format!("@y{shift}"), "followers": 90000},
                {"platform": "instagram", "handle": format!("@i{shift}"), "followers": 90000}]}))
            .await;
    }
    let shape = |c: &Value| {
        let texts = |key: &str, field: &str| -> Vec<String> {
            c[key].as_array().unwrap().iter().map(|x| x[field].as_str().unwrap().to_string()).collect()
        };
        let tags: Vec<String> = c["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().into()).collect();
        (texts("contact_points", "kind"), tags, texts("social_accounts", "platform"))
    };
    let want = (
        ["email", "email", "phone", "website"].map(String::from).to_vec(),
        ["alpha", "mid", "zeta"].map(String::from).to_vec(),
        ["instagram", "youtube", "tiktok"].map(String::from).to_vec(),
    );
    for listing in ["/creators?sort=name", "/creators?q=food"] {
        let (_, v) = api.get(listing).await;
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{listing}");
        for c in items {
            assert_eq!(shape(c), want, "{listing}: {c}");
            let emails = &c["contact_points"].as_array().unwrap()[..2];
            assert_eq!(emails[0]["primary"], true, "{listing}: the primary email first");
            assert!(emails[0]["value"].as_str().unwrap().starts_with('z'), "{listing}: {c}");
            let (_, one) = api.get(&format!("/creators/{}", c["id"].as_str().unwrap())).await;
            assert_eq!(shape(&one), want, "one creator");
        }
    }
}
