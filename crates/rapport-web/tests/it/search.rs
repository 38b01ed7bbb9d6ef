//! Discovery search through the API: text that ignores accents and case, facets, audience
//! and quality filters, do-not-contact exclusion, sorting by fit and engagement, changes
//! from another process searchable within a second, and an index that rebuilds itself.

use crate::harness::TestApp;
use rapport_app::{App, AppConfig, IndexLocation, PasswordCost};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

crate::db_tests!(
    text_search_ignores_accents_and_case_and_finds_handles,
    a_city_filter_ignores_case_and_accents,
    facet_counts_cover_every_match,
    a_search_can_count_only_the_facets_it_names,
    audience_and_quality_filters_narrow_the_results,
    do_not_contact_creators_are_excluded_unless_asked_for,
    results_sort_by_engagement_and_fit,
    audience_filters_and_fit_read_the_largest_account_with_a_breakdown,
    index_pages_continue_with_the_cursor,
    relevance_pages_neither_skip_nor_repeat_when_others_are_written_between_them,
    a_change_made_by_another_process_is_searchable_within_a_second,
    a_missing_or_corrupt_index_is_rebuilt_from_the_database,
    an_index_ahead_of_its_database_is_rebuilt,
    an_index_deleted_under_the_running_server_is_rebuilt,
    database_listings_count_exactly_what_they_list,
    a_count_alone_is_the_listings_total_without_a_page,
    a_write_after_a_rolled_back_one_is_searchable_at_once,
    an_account_without_a_following_is_never_the_main_one,
    several_tags_find_the_creators_with_all_of_them_on_every_road,
    a_facet_value_counts_what_adding_it_to_its_list_finds,
    an_account_without_figures_is_no_fresh_data,
);

/// A workspace with one creator, Ana, and a transaction that has written her to the change
/// log (taking its next sequence number) and is still open.
async fn ana_and_a_change_log_write(app: &TestApp) -> (crate::harness::Api, rapport_store::Tx, uuid::Uuid) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ana = api.creator(json!({"display_name": "Ana Lima"})).await;
    let ana: rapport_core::ids::CreatorId = ana["id"].as_str().unwrap().parse().unwrap();
    let mut tx = app.app.db.begin().await.unwrap();
    rapport_store::changes::record(&mut tx.conn(), p.workspace.0, ana.0).await.unwrap();
    (api, tx, ana.0)
}

/// [`ana_and_a_change_log_write`] whose open transaction has also renamed Ana to Zelda Late.
async fn ana_renamed_in_an_open_transaction(app: &TestApp) -> (crate::harness::Api, rapport_store::Tx) {
    let (api, mut tx, ana) = ana_and_a_change_log_write(app).await;
    let renamed = "UPDATE creators SET display_name = 'Zelda Late' WHERE id = $1";
    tx.conn().execute(renamed, rapport_store::args![ana]).await.unwrap();
    (api, tx)
}

/// Creates Marie and finds her by an audience filter (an index-answered search) at once.
async fn marie_is_searchable_at_once(api: &crate::harness::Api, why: &str) {
    api.creator(json!({"display_name": "Marie Schäfer", "social_accounts": [{"platform": "instagram",
        "handle": "@marie.kocht", "followers": 1000, "audience": {"countries": {"FR": 70}}}]}))
        .await;
    let (s, v) = api.get("/creators?audience_country=FR:50").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(names(&v), vec!["Marie Schäfer".to_string()], "{why}");
}

async fn a_write_after_a_rolled_back_one_is_searchable_at_once(app: TestApp) {
    // Rolled back: on PostgreSQL the sequence number is never handed out again, leaving a gap.
    let (api, tx, _) = ana_and_a_change_log_write(&app).await;
    drop(tx);
    marie_is_searchable_at_once(&api, "searchable at once, not after the gap's grace period").await;
}

// Only PostgreSQL lets two writers be open at once; on SQLite the second waits for the first.
crate::postgres_tests!(
    postgres_only;
    a_write_behind_a_transaction_still_in_flight_is_searchable_at_once,
    a_change_held_in_a_long_transaction_is_indexed_once_it_commits,
    a_change_held_while_the_index_is_rebuilt_is_indexed_once_it_commits,
);

/// A rebuild that starts while a transaction holds a change-log number below the newest one
/// reads that creator as it was; the number is kept as a gap, so the change is indexed when
/// the transaction commits, not left behind the rebuilt index's checkpoint.
async fn a_change_held_while_the_index_is_rebuilt_is_indexed_once_it_commits(app: TestApp) {
    let (api, tx) = ana_renamed_in_an_open_transaction(&app).await;
    api.creator(json!({"display_name": "Later Writer"})).await;
    rapport_app::search::rebuild(&app.app).await.unwrap();
    assert_eq!(api.get("/creators?q=later").await.1["total"], 1);
    tx.commit().await.unwrap();
    found_within(&api, "zelda", Duration::from_secs(5), "the change held through the rebuild was never indexed").await;
    assert_eq!(api.get("/creators?q=lima").await.1["total"], 0);
}

/// A transaction that holds a change-log number for long (a large undo, a slow import
/// batch) while others commit after it: however long it stays open, its change is indexed
/// when it commits — the number is kept as a gap, not given up after a while.
async fn a_change_held_in_a_long_transaction_is_indexed_once_it_commits(app: TestApp) {
    let (api, tx) = ana_renamed_in_an_open_transaction(&app).await;
    marie_is_searchable_at_once(&api, "others' writes are searchable while the transaction is open").await;
    // Longer than any grace period a follower might give a gap, with writes after it.
    tokio::time::sleep(Duration::from_secs(6)).await;
    api.creator(json!({"display_name": "Later Writer"})).await;
    assert_eq!(api.get("/creators?q=later").await.1["total"], 1);
    tx.commit().await.unwrap();
    found_within(&api, "zelda", Duration::from_secs(5), "the held change was never indexed").await;
    assert_eq!(api.get("/creators?q=lima").await.1["total"], 0);
}

async fn a_write_behind_a_transaction_still_in_flight_is_searchable_at_once(app: TestApp) {
    // Another writer holds the next sequence number of the change log and has not committed.
    let (api, tx, _) = ana_and_a_change_log_write(&app).await;
    marie_is_searchable_at_once(&api, "searchable at once, not once the other commits").await;
    tx.commit().await.unwrap();
    let (_, v) = api.get("/creators?q=lima").await;
    assert_eq!(names(&v), vec!["Ana Lima".to_string()], "the held change is applied once committed");
}

/// Searches `words` until exactly one creator is found, failing with `why` after `within`.
async fn found_within(api: &crate::harness::Api, words: &str, within: Duration, why: &str) {
    let start = Instant::now();
    while api.get(&format!("/creators?q={words}")).await.1["total"] != 1 {
        assert!(start.elapsed() < within, "{why}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub(crate) fn names(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap().to_string()).collect()
}

pub(crate) async fn seed(api: &crate::harness::Api) {
    api.creator(json!({"display_name": "Marie Schäfer", "country": "DE", "languages": ["de"], "niches": ["food"], "tags": ["vip"],
        "bio": "Vegane Küche aus Köln", "contact_points": [{"value": "marie@example.com"}],
        "social_accounts": [{"platform": "instagram", "handle": "@marie.kocht", "followers": 120000, "engagement_rate_pct": 3.1,
            "audience": {"countries": {"DE": 72, "AT": 9}, "genders": {"female": 81, "male": 19}, "age_bands": {"25-34": 44}}}]}))
    .await;
    api.creator(json!({"display_name": "Tom Ride", "country": "GB", "languages": ["en"], "niches": ["cycling"],
        "social_accounts": [{"platform": "youtube", "handle": "@tomrides", "followers": 45000, "engagement_rate_pct": 6.0,
            "average_views": 30000, "audience": {"countries": {"GB": 55, "DE": 10}, "genders": {"male": 70, "female": 30}}}]}))
    .await;
    api.creator(json!({"display_name": "Ana Lima", "country": "BR", "languages": ["pt"], "niches": ["food", "travel"],
        "social_accounts": [{"platform": "tiktok", "handle": "@analima", "followers": 900000, "engagement_rate_pct": 1.2,
            "observed_at": "2026-01-01T00:00:00Z", "audience": {"countries": {"BR": 90}}}]}))
    .await;
}

async fn text_search_ignores_accents_and_case_and_finds_handles(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    for (q, want) in [
        ("schafer", "Marie Schäfer"),
        ("SCHÄFER", "Marie Schäfer"),
        ("kuche koln", "Marie Schäfer"),
        ("@tomrides", "Tom Ride"),
        ("tomrides", "Tom Ride"),
        ("travel", "Ana Lima"),
    ] {
        let (s, v) = api.get(&format!("/creators?q={}", urlencode(q))).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        assert_eq!(names(&v), vec![want.to_string()], "{q}");
    }
    let (_, v) = api.get("/creators?q=nobody-matches-this").await;
    assert_eq!(v["total"], 0);
    // Text with no word in it would match every creator; it is refused, naming q.
    for q in ["🌱", "*", "-", "#", &"a".repeat(300)] {
        let (s, v) = api.get(&format!("/creators?q={}", urlencode(q))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
        assert!(v["fields"][0]["message"].as_str().unwrap().contains("no word to search for"), "{q}: {v}");
    }
    let (other, _) = app.api_in_new_workspace("Other").await;
    assert_eq!(other.get("/creators?q=schafer").await.1["total"], 0, "another workspace sees nothing");
}

async fn a_city_filter_ignores_case_and_accents(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "Ana Lima", "country": "BR", "city": "São Paulo"})).await;
    api.creator(json!({"display_name": "Jonas Keller", "country": "CH", "city": "Zürich"})).await;
    api.creator(json!({"display_name": "Sam Ortiz", "country": "US", "city": "San Paulo"})).await;
    for (city, want) in [
        ("São Paulo", vec!["Ana Lima"]),
        ("sao paulo", vec!["Ana Lima"]),
        ("SAO PAULO", vec!["Ana Lima"]),
        ("zurich", vec!["Jonas Keller"]),
        ("Zurich,sao paulo", vec!["Ana Lima", "Jonas Keller"]),
        ("Paulo", vec![]),
    ] {
        let (s, v) = api.get(&format!("/creators?sort=name&city={}", urlencode(city))).await;
        assert_eq!(s, StatusCode::OK, "{city}: {v}");
        assert_eq!(names(&v), want, "{city}");
    }
    let (_, v) = api.get("/creators?city=zurich").await;
    assert_eq!(v["items"][0]["city"], "Zürich", "the city is shown as it was written");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn facet_counts_cover_every_match(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let (_, v) = api.get("/creators?facets=true&limit=1").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["total"], 3);
    let f = &v["facets"];
    assert_eq!(
        f["niches"],
        json!([{"value": "food", "count": 2}, {"value": "cycling", "count": 1}, {"value": "travel", "count": 1}])
    );
    assert_eq!(f["platforms"].as_array().unwrap().len(), 3);
    let tiers: Vec<(String, u64)> = f["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["value"].as_str().unwrap().into(), t["count"].as_u64().unwrap()))
        .collect();
    assert!(
        tiers.contains(&("macro".into(), 1))
            && tiers.contains(&("mid".into(), 1))
            && tiers.contains(&("micro".into(), 1)),
        "{tiers:?}"
    );
    let (_, v) = api.get("/creators?facets=true&niche=food").await;
    assert_eq!(v["facets"]["countries"], json!([{"value": "BR", "count": 1}, {"value": "DE", "count": 1}]));
}

async fn a_search_can_count_only_the_facets_it_names(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let (_, all) = api.get("/creators?facets=true&niche=food").await;
    let (s, v) = api.get("/creators?facets=platform,%20tier&niche=food").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["facets"]["platforms"], all["facets"]["platforms"]);
    assert_eq!(v["facets"]["tiers"], all["facets"]["tiers"]);
    assert!(!all["facets"]["countries"].as_array().unwrap().is_empty());
    for other in ["countries", "niches", "tags", "stages", "languages"] {
        assert_eq!(v["facets"][other], json!([]), "{other} was not asked for");
    }
    let (s, v) = api.get("/creators?facets=platform,followers").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "facets");
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("“followers” is not a facet"), "{v}");
}

async fn audience_and_quality_filters_narrow_the_results(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    for (query, want) in [
        ("audience_country=DE:50", vec!["Marie Schäfer"]),
        ("audience_country=DE:10", vec!["Marie Schäfer", "Tom Ride"]),
        ("audience_gender=female:60", vec!["Marie Schäfer"]),
        ("audience_age=25-34:40", vec!["Marie Schäfer"]),
        ("min_engagement=3&max_engagement=7", vec!["Marie Schäfer", "Tom Ride"]),
        ("min_average_views=10000", vec!["Tom Ride"]),
        ("has_email=true", vec!["Marie Schäfer"]),
        ("fresh_days=30", vec!["Marie Schäfer", "Tom Ride"]),
        ("language=pt", vec!["Ana Lima"]),
        ("niche=food,cycling&platform=youtube,tiktok", vec!["Ana Lima", "Tom Ride"]),
        ("country=de,gb", vec!["Marie Schäfer", "Tom Ride"]),
    ] {
        // Discovery filters sort by name too (the index keeps each name's sort key)…
        let (s, v) = api.get(&format!("/creators?{query}&sort=name")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {v}");
        let mut by_name = want.clone();
        by_name.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names(&v), by_name, "{query} by name");
        // …but not by creation, which only the database keeps.
        let (s, v) = api.get(&format!("/creators?{query}&sort=created_at")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(v["fields"][0]["field"], "sort");
        let (s, v) = api.get(&format!("/creators?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {v}");
        let mut got = names(&v);
        got.sort();
        assert_eq!(got, want, "{query}");
    }
    let (s, v) = api.get("/creators?audience_country=Germany&min_engagement=300").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["min_engagement", "audience_country"]);
    // A range that holds nothing is named, as a follower range is.
    for (query, field) in [
        ("min_engagement=5&max_engagement=2", "max_engagement"),
        ("min_average_views=5000&max_average_views=100", "max_average_views"),
        ("min_followers=5000&max_followers=100", "max_followers"),
    ] {
        let (s, v) = api.get(&format!("/creators?{query}")).await;
        assert_eq!((s, v["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{v}");
    }
    // Words of the query model read in any case, like the lists' values.
    for query in ["has_email=TRUE", "dnc=Include", "sort=-Followers", "has_email=Yes"] {
        let (s, v) = api.get(&format!("/creators?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {v}");
    }
}

async fn do_not_contact_creators_are_excluded_unless_asked_for(app: TestApp) {
    let (api, owner) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    api.creator(json!({"display_name": "Quiet Person", "do_not_contact": true})).await;
    assert_eq!(api.get("/creators").await.1["total"], 3, "database path");
    assert_eq!(api.get("/creators?facets=true").await.1["total"], 3, "index path");
    assert_eq!(api.get("/creators?q=quiet").await.1["total"], 0);
    assert_eq!(api.get("/creators?q=quiet&dnc=include").await.1["total"], 1);
    assert_eq!(api.get("/creators?dnc=include").await.1["total"], 4);
    // The list page says when a hidden do-not-contact creator would have matched.
    let b = app.signed_in(&owner).await;
    let (_, page) = b.get("/creators?q=quiet").await;
    assert!(page.contains("1 do-not-contact creator matches") && page.contains("dnc=include"), "{page}");
    let (_, page) = b.get("/creators?q=nobody-at-all").await;
    assert!(!page.contains("do-not-contact creator"), "{page}");
}

async fn results_sort_by_engagement_and_fit(app: TestApp) {
    let (api, owner) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let (_, v) = api.get("/creators?sort=-engagement").await;
    assert_eq!(names(&v), vec!["Tom Ride", "Marie Schäfer", "Ana Lima"]);
    let b = app.signed_in(&owner).await;
    b.submit(
        "/settings/brand",
        &[
            ("target_countries", "DE"),
            ("niches", "food"),
            ("tier_micro", "10000"),
            ("tier_mid", "100000"),
            ("tier_macro", "500000"),
            ("tier_mega", "1000000"),
        ],
    )
    .await;
    let (_, v) = api.get("/creators?sort=-fit").await;
    assert_eq!(names(&v)[0], "Marie Schäfer", "the profile change re-scored every creator");
}

/// A data provider often covers one platform: a creator whose breakdown is on a smaller
/// account is found by audience filters, and the fit score measures that audience.
async fn audience_filters_and_fit_read_the_largest_account_with_a_breakdown(app: TestApp) {
    let (api, owner) = app.api_in_new_workspace("Acme").await;
    let split = api
        .creator(json!({"display_name": "Audience Split", "social_accounts": [
            {"platform": "tiktok", "handle": "@split_tt", "followers": 200000},
            {"platform": "instagram", "handle": "@split_ig", "followers": 10000, "audience_quality_pct": 85,
             "audience": {"countries": {"DE": 70}, "genders": {"female": 80}, "age_bands": {"18-24": 60}}}]}))
        .await;
    for filter in ["audience_country=DE:50", "audience_gender=female:50", "audience_age=18-24:50"] {
        let (s, v) = api.get(&format!("/creators?{filter}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(names(&v), vec!["Audience Split".to_string()], "{filter}");
    }
    let b = app.signed_in(&owner).await;
    b.submit(
        "/settings/brand",
        &[
            ("target_countries", "DE"),
            ("tier_micro", "10000"),
            ("tier_mid", "100000"),
            ("tier_macro", "500000"),
            ("tier_mega", "1000000"),
        ],
    )
    .await;
    let (_, v) = api.get(&format!("/creators/{}", split["id"].as_str().unwrap())).await;
    let components = &v["insights"]["fit"]["components"];
    assert!(components[0]["explanation"].as_str().unwrap().contains("70 % in target countries (DE)"), "{components}");
    assert!(components[3]["explanation"].as_str().unwrap().contains("85 %"), "{components}");
}

async fn index_pages_continue_with_the_cursor(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for i in 0..7 {
        api.creator(json!({"display_name": format!("Baker {i}"), "niches": ["food"]})).await;
    }
    let mut seen = Vec::new();
    let mut path = "/creators?q=baker&limit=3".to_string();
    loop {
        let (s, v) = api.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        seen.extend(names(&v));
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/creators?q=baker&limit=3&cursor={c}"),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);
    assert_eq!(api.get("/creators?q=baker&sort=-followers&cursor=bogus").await.0, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Sorted by relevance, a cursor carries what the first page was scored with: writes between
/// pages (which change every score's statistics) neither skip nor repeat a creator.
async fn relevance_pages_neither_skip_nor_repeat_when_others_are_written_between_them(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let words = ["garden", "kitchen", "travel", "food", "style", "decor"];
    for i in 0..30usize {
        let filler: Vec<&str> = (0..i % 7).map(|k| words[(i + k) % words.len()]).collect();
        let bio = format!("home {}{}", "home ".repeat(i % 3), filler.join(" "));
        api.creator(json!({"display_name": format!("Creator {i}"), "bio": bio})).await;
    }
    let unrelated = api.creator(json!({"display_name": "Unrelated", "bio": "cars"})).await;
    let (mut seen, mut path, mut k) = (Vec::new(), "/creators?q=home&limit=4".to_string(), 0);
    loop {
        let (s, v) = api.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        seen.extend(names(&v));
        let Some(c) = v["next_cursor"].as_str() else { break };
        path = format!("/creators?q=home&limit=4&cursor={c}");
        // An edit of a creator that does not match, and new ones that do not either.
        let (s, _) = api
            .patch(&format!("/creators/{}", unrelated["id"].as_str().unwrap()), json!({"tone_notes": format!("{k}")}))
            .await;
        assert_eq!(s, StatusCode::OK);
        api.creator(json!({"display_name": format!("Other {k}"), "bio": "garden kitchen travel"})).await;
        k += 1;
    }
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((seen.len(), count), (30, 30), "each of the 30 matches once: {seen:?}");
}

/// A database restored from a backup older than the index hands out change numbers the index
/// has already passed: the index notices it is ahead and rebuilds, instead of missing every
/// new change.
async fn an_index_ahead_of_its_database_is_rebuilt(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "Before Backup"})).await;
    let search = app.app.search.clone().unwrap();
    let high = rapport_store::changes::high_water(&mut app.app.db.read().await.unwrap().conn()).await.unwrap();
    assert!(high > 0);
    // As after a restore: the index has indexed changes this database never had.
    search.index().set_checkpoint_and_commit(high + 50).unwrap();
    api.creator(json!({"display_name": "Zebulon After"})).await;
    found_within(&api, "zebulon", Duration::from_secs(5), "a change after the restore is never indexed").await;
    assert!(search.index().checkpoint().unwrap_or(0) <= high + 1, "the checkpoint is the database's again");
    assert_eq!(api.get("/creators?q=before").await.1["total"], 1);
}

async fn a_change_made_by_another_process_is_searchable_within_a_second(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let other = app.other_process().await;
    let ctx = rapport_app::Ctx::system(p.workspace, rapport_core::actor::Actor::System, "other process");
    let input =
        rapport_core::creators::CreatorInput { display_name: Some("Zephyrine Walsh".into()), ..Default::default() };
    rapport_app::creators::create(&other, &ctx, input).await.unwrap();
    found_within(&api, "zephyrine", Duration::from_secs(1), "not searchable within 1 s").await;
}

async fn a_missing_or_corrupt_index_is_rebuilt_from_the_database(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        App::open(
            &app.db,
            AppConfig {
                password_cost: PasswordCost::Cheap,
                index: IndexLocation::Dir(dir.path().join("idx")),
                ..Default::default()
            },
        )
    };
    let fresh = open().await.unwrap();
    let search = fresh.search.clone().unwrap();
    assert!(!search.is_ready(), "a missing index must be rebuilt first");
    assert_eq!(rapport_app::search::rebuild(&fresh).await.unwrap(), 3);
    assert_eq!(search.index().doc_count(), 3);
    drop(search);
    drop(fresh);
    std::fs::write(dir.path().join("idx").join("meta.json"), b"{ not json").unwrap();
    let reopened = open().await.unwrap();
    assert!(!reopened.search.as_ref().unwrap().is_ready(), "a corrupt index must be rebuilt");
    reopened.start_background().await;
    let s = reopened.search.clone().unwrap();
    assert!(s.wait_ready(Duration::from_secs(10)).await);
    assert_eq!(s.index().doc_count(), 3);
}

/// An index directory deleted under a running server is replaced and rebuilt by the server
/// itself; searches find the creators again, and writes after it too.
async fn an_index_deleted_under_the_running_server_is_rebuilt(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let dir = tempfile::tempdir().unwrap();
    let config = AppConfig {
        password_cost: PasswordCost::Cheap,
        index: IndexLocation::Dir(dir.path().join("idx")),
        ..Default::default()
    };
    let running = App::open(&app.db, config).await.unwrap();
    running.start_background().await;
    let search = running.search.clone().unwrap();
    assert!(search.wait_ready(Duration::from_secs(10)).await);
    std::fs::remove_dir_all(dir.path().join("idx")).unwrap();
    let ctx = rapport_app::Ctx::system(p.workspace, rapport_core::actor::Actor::System, "test");
    let input =
        rapport_core::creators::CreatorInput { display_name: Some("Quentin After".into()), ..Default::default() };
    // A write while the index is gone is taken all the same, and found once it is back.
    rapport_app::creators::create(&running, &ctx, input).await.unwrap();
    let start = Instant::now();
    loop {
        let q = rapport_app::creators::CreatorQuery { q: Some("quentin".into()), ..Default::default() };
        if search.is_ready()
            && let Ok(page) = rapport_app::creators::list(&running, &ctx, &q).await
            && page.total == Some(1)
        {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the deleted index was never rebuilt");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(dir.path().join("idx").join("meta.json").exists());
    assert_eq!(search.index().doc_count(), 4);
}

/// Filter-only listings come from the database, their totals from the index (a count over a
/// million rows takes the database seconds); each total must still be exactly what the
/// listing holds, with the edge cases of either engine.
async fn database_listings_count_exactly_what_they_list(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    api.creator(json!({"display_name": "No Accounts", "country": "DE", "tags": ["vip"]})).await;
    api.creator(json!({"display_name": "Quiet Person", "country": "DE", "do_not_contact": true,
        "social_accounts": [{"platform": "instagram", "handle": "@quiet", "followers": 5000}]}))
        .await;
    let gone = api
        .creator(json!({"display_name": "Gone", "country": "DE",
            "social_accounts": [{"platform": "instagram", "handle": "@gone", "followers": 7000}]}))
        .await;
    let (s, _) = api.delete(&format!("/creators/{}", gone["id"].as_str().unwrap())).await;
    assert!(s.is_success());
    for (query, want) in [
        ("", 4),
        ("platform=instagram", 1),
        ("country=DE", 2),
        ("country=DE&dnc=include", 3),
        ("platform=instagram&country=DE&min_followers=1000", 1),
        ("platform=instagram&country=DE&dnc=include", 2),
        ("max_followers=100000", 1),
        ("min_followers=1&max_followers=100000", 1),
        ("min_followers=0", 4),
        ("tag=vip", 2),
        ("tag=vip,food", 0),
        ("dnc=only", 1),
        ("stage=discovered", 4),
        ("deleted=true", 1),
    ] {
        let (s, v) = api.get(&format!("/creators?{query}&limit=200")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {v}");
        let listed = v["items"].as_array().unwrap().len();
        assert_eq!((v["total"].as_u64(), listed), (Some(want), want as usize), "{query}: {:?}", names(&v));
    }
}

/// `limit=0` asks for the count alone: the listing's total (and its facets when asked for),
/// no creators and no next page — whichever engine answers and counts it.
async fn a_count_alone_is_the_listings_total_without_a_page(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    api.creator(json!({"display_name": "No Accounts", "country": "DE", "tags": ["vip"]})).await;
    for query in [
        "",
        "platform=instagram,tiktok&sort=-followers",
        "country=DE&min_followers=1000",
        "max_followers=100000",
        "tag=vip",
        "updated_since=2020-01-01",
        "q=food",
        "q=food&facets=platform",
        "niche=food&facets=true",
    ] {
        let (_, listed) = api.get(&format!("/creators?{query}&limit=200")).await;
        let (s, counted) = api.get(&format!("/creators?{query}&limit=0")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {counted}");
        assert!(listed["total"].as_u64().is_some_and(|n| n > 0), "{query}: {listed}");
        assert_eq!(counted["total"], listed["total"], "{query}");
        assert_eq!(counted["items"], json!([]), "{query}");
        assert!(counted["next_cursor"].is_null(), "{query}: {counted}");
        assert_eq!(counted.get("facets"), listed.get("facets"), "{query}");
    }
    // Facets alone may leave the total out; nothing at all may not.
    let (s, v) = api.get("/creators?niche=food&facets=platform&limit=0&total=false").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["facets"]["platforms"].as_array().map(Vec::len), Some(2), "{v}");
    // A mistyped parameter is named, not ignored (which would list everyone).
    let (s, v) = api.get("/creators?platfrom=instagram&limit=0").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "platfrom", "{v}");
    let (s, v) = api.get("/creators/export?format=csv&nich=food").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "nich", "{v}");
    // `total` reads as every flag does: `no` leaves it out too.
    for no in ["false", "0", "no", "NO"] {
        let (s, v) = api.get(&format!("/creators?niche=food&limit=1&total={no}")).await;
        assert_eq!((s, v.get("total")), (StatusCode::OK, None), "total={no}: {v}");
    }
    let (s, v) = api.get("/creators?country=DE&limit=0&total=no").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "limit", "{v}");
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("count alone"), "{v}");
    // A count has no pages to continue.
    let (_, first) = api.get("/creators?q=food&limit=1").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (s, v) = api.get(&format!("/creators?q=food&limit=0&cursor={cursor}")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "cursor", "{v}");
}

/// The main account is the largest following; an account whose following is unknown comes
/// after every account with one, on both engines (PostgreSQL sorts NULL first in a
/// descending order unless told otherwise): it is listed last, and its engagement is not
/// the creator's — in the index, the database's follower walk, and the creator itself.
async fn an_account_without_a_following_is_never_the_main_one(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = api
        .creator(json!({"display_name": "Ana Lima", "country": "DE", "social_accounts": [
            {"platform": "instagram", "handle": "@ana.unknown", "engagement_rate_pct": 9.5},
            {"platform": "tiktok", "handle": "@ana.small", "followers": 5000, "engagement_rate_pct": 1.5}]}))
        .await;
    let platforms = |c: &Value| -> Vec<String> {
        c["social_accounts"].as_array().unwrap().iter().map(|a| a["platform"].as_str().unwrap().into()).collect()
    };
    let (_, one) = api.get(&format!("/creators/{}", ana["id"].as_str().unwrap())).await;
    assert_eq!(platforms(&one), ["tiktok", "instagram"], "one creator: {one}");
    for listing in
        ["/creators?q=ana", "/creators?sort=-followers&country=DE,FR", "/creators?sort=-updated_at&platform=tiktok"]
    {
        let (_, v) = api.get(listing).await;
        assert_eq!(platforms(&v["items"][0]), ["tiktok", "instagram"], "{listing}: {v}");
        for (floor, found) in [(5, 0), (1, 1)] {
            let (_, v) = api.get(&format!("{listing}&min_engagement={floor}")).await;
            assert_eq!(v["items"].as_array().unwrap().len(), found, "{listing} with engagement ≥ {floor}: {v}");
        }
    }
}

/// `tag=a,b` means all of them, whichever engine answers: the database, its follower walk,
/// or the index (facets, fit sort) — counts, pages and facets agree.
async fn several_tags_find_the_creators_with_all_of_them_on_every_road(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for (name, tags) in [("Both Tags", vec!["vip", "ugc"]), ("Only Vip", vec!["vip"]), ("Only Ugc", vec!["ugc"])] {
        api.creator(json!({"display_name": name, "country": "DE", "tags": tags, "social_accounts": [
            {"platform": "instagram", "handle": name.replace(' ', "."), "followers": 20000, "engagement_rate_pct": 3.0}]}))
            .await;
    }
    for listing in [
        "/creators?tag=vip,ugc",
        "/creators?tag=vip,ugc&facets=platform",
        "/creators?tag=vip,ugc&sort=-fit",
        "/creators?tag=vip,ugc&sort=-followers&country=DE,FR",
        "/creators?tag=ugc,vip&min_engagement=1",
    ] {
        let (status, v) = api.get(listing).await;
        assert_eq!(status, StatusCode::OK, "{listing}: {v}");
        assert_eq!(names(&v), ["Both Tags"], "{listing}: {v}");
        assert_eq!(v["total"], 1, "{listing}: {v}");
        if let Some(platforms) = v["facets"]["platforms"].as_array() {
            assert_eq!(platforms[0]["count"], 1, "{listing}: {v}");
        }
    }
}

/// Platforms, countries, niches, stages and languages match any of their values, so a
/// value's facet count is taken without its own list's filter: adding it to the list (what
/// the list page's facet link does) finds that many more. Tags match all of theirs, so a
/// tag's count is under every filter.
async fn a_facet_value_counts_what_adding_it_to_its_list_finds(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let total = |v: &Value| v["total"].as_i64().unwrap();
    let count = |v: &Value, group: &str, value: &str| {
        v["facets"][group]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["value"] == value)
            .map_or(0, |c| c["count"].as_i64().unwrap())
    };
    let (_, base) = api.get("/creators?platform=instagram&facets=true").await;
    assert_eq!(total(&base), 1, "{base}");
    assert_eq!((count(&base, "platforms", "youtube"), count(&base, "platforms", "tiktok")), (1, 1), "{base}");
    for other in ["youtube", "tiktok"] {
        let (_, more) = api.get(&format!("/creators?platform=instagram,{other}")).await;
        assert_eq!(total(&more), total(&base) + count(&base, "platforms", other), "{other}: {more}");
    }
    assert_eq!(count(&base, "countries", "GB"), 0, "other lists count under the platform filter: {base}");
    let (_, food) = api.get("/creators?niche=food&facets=niche").await;
    assert_eq!((total(&food), count(&food, "niches", "cycling"), count(&food, "niches", "food")), (2, 1, 2), "{food}");
    let (_, vip) = api.get("/creators?tag=vip&facets=tag").await;
    assert_eq!(vip["facets"]["tags"], json!([{"value": "vip", "count": 1}]), "tags narrow: {vip}");
}

/// An account with a handle and no figures has no data to be fresh: its creator is not
/// found by a freshness filter, and the fit score's freshness says there are no metrics.
async fn an_account_without_figures_is_no_fresh_data(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let zed = api
        .creator(
            json!({"display_name": "Zed Unknown", "social_accounts": [{"platform": "instagram", "handle": "@zed"}]}),
        )
        .await;
    api.creator(json!({"display_name": "Ada Known", "social_accounts": [{"platform": "instagram", "handle": "@ada",
        "followers": 5000}]}))
        .await;
    let (_, v) = api.get("/creators?fresh_days=1").await;
    assert_eq!(names(&v), ["Ada Known"], "{v}");
    let (_, one) = api.get(&format!("/creators/{}", zed["id"].as_str().unwrap())).await;
    let freshness = &one["insights"]["fit"]["components"][4];
    assert_eq!(
        (freshness["score"].as_i64(), freshness["explanation"].as_str()),
        (Some(0), Some("No metrics recorded.")),
        "{one}"
    );
    assert_eq!(one["social_accounts"][0]["stale"], false);
}
