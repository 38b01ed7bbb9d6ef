//! How listings order and page: names sort without their accents, index pages continue
//! after the last creator shown, a repeated query parameter means all its values, and a
//! creator no account of whom reports a following is in no tier and no follower range, and
//! the list page and its CSV export show the engagement and fit they can sort by.

use crate::harness::TestApp;
use crate::search::{names, seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    names_sort_without_their_accents,
    index_pages_neither_skip_nor_repeat_when_creators_change_between_them,
    a_repeated_parameter_means_all_its_values,
    a_creator_without_a_known_following_is_in_no_tier_and_no_follower_range,
    the_list_shows_each_creators_engagement_and_fit_score,
    a_csv_export_carries_the_fit_score_the_owner_and_every_account,
    platform_and_follower_filters_together_say_which_account_the_figures_are,
    filters_take_counts_and_countries_as_people_write_them,
    a_chosen_facet_value_stays_in_its_group_beyond_the_eight_largest,
    search_words_and_discovery_filters_sort_by_name_too,
    a_pasted_profile_url_searches_its_handle,
);

/// "Élodie" sorts with the e's, "Łukasz" with the l's — not after "Zoe".
async fn names_sort_without_their_accents(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for name in ["Zoe Park", "Élodie Martin", "Adam Berg", "Łukasz Nowak", "Ömer Kaya"] {
        api.creator(json!({"display_name": name})).await;
    }
    let (_, v) = api.get("/creators?sort=name").await;
    assert_eq!(names(&v), ["Adam Berg", "Élodie Martin", "Łukasz Nowak", "Ömer Kaya", "Zoe Park"]);
    let (_, v) = api.get("/creators?sort=-name&limit=2").await;
    assert_eq!(names(&v), ["Zoe Park", "Ömer Kaya"]);
    let (_, next) =
        api.get(&format!("/creators?sort=-name&limit=2&cursor={}", v["next_cursor"].as_str().unwrap())).await;
    assert_eq!(names(&next), ["Łukasz Nowak", "Élodie Martin"], "pages continue in the same order");
}

/// An index page's cursor names the last creator it showed, not a position: moving a
/// creator of the first page out of the search, or editing one further down (which moves
/// it to the top of "recently updated"), skips or repeats no one on the next page.
async fn index_pages_neither_skip_nor_repeat_when_creators_change_between_them(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let c = api
            .creator(json!({"display_name": format!("Baker {i}"), "niches": ["food"], "stage": "qualified",
                "social_accounts": [{"platform": "instagram", "handle": format!("baker{i}"), "followers": 10_000 + i,
                    "engagement_rate_pct": 2.0}]}))
            .await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    let page = |v: &Value| (names(v), v["next_cursor"].as_str().map(str::to_string));

    // Sorted by followers: Baker 7 … Baker 0. The first shown leaves the search between pages.
    let listing = "/creators?stage=qualified,contacted&sort=-followers&limit=3";
    let (first, cursor) = page(&api.get(listing).await.1);
    assert_eq!(first, ["Baker 7", "Baker 6", "Baker 5"]);
    let (s, _) = api.post(&format!("/creators/{}/stage", ids[7]), json!({"stage": "negotiating"})).await;
    assert!(s.is_success(), "{s}");
    let (second, _) = page(&api.get(&format!("{listing}&cursor={}", cursor.unwrap())).await.1);
    assert_eq!(second, ["Baker 4", "Baker 3", "Baker 2"], "no one skipped");

    // Recently updated first: an edit further down lifts a creator above the page already seen.
    let listing = "/creators?min_engagement=0&limit=3";
    let (first, cursor) = page(&api.get(listing).await.1);
    let (s, _) = api.patch(&format!("/creators/{}", ids[0]), json!({"bio": "Now edited"})).await;
    assert!(s.is_success(), "{s}");
    let (second, _) = page(&api.get(&format!("{listing}&cursor={}", cursor.unwrap())).await.1);
    assert!(second.iter().all(|n| !first.contains(n)), "no one repeated: {first:?} then {second:?}");
    assert_eq!(second.len(), 3, "{second:?}");
}

/// `platform=a&platform=b` is `platform=a,b` (a generated or hand-edited URL repeats keys),
/// in the API and on the list page; a repeated sort is a 422 naming `sort`.
async fn a_repeated_parameter_means_all_its_values(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let (s, joined) = api.get("/creators?platform=instagram,tiktok&sort=-followers").await;
    assert_eq!(s, StatusCode::OK, "{joined}");
    let (s, repeated) = api.get("/creators?platform=instagram&platform=tiktok&sort=-followers").await;
    assert_eq!(s, StatusCode::OK, "{repeated}");
    assert_eq!(names(&repeated), names(&joined));
    assert!(names(&joined).len() >= 2, "{joined}");
    let (s, v) = api.get("/creators?sort=name&sort=-fit").await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sort")), "{v}");
    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/creators?platform=instagram&platform=tiktok").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Marie Schäfer"), "{page}");
}

/// The stores keep 0 for a following or average views no account reports: such a creator
/// is not nano, and an upper bound on followers or views leaves it out — through the
/// database and through the index, in lists and in facet counts.
async fn a_creator_without_a_known_following_is_in_no_tier_and_no_follower_range(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "Nora Small", "niches": ["food"], "social_accounts": [{"platform": "instagram",
        "handle": "nora", "followers": 5000, "average_views": 800}]}))
        .await;
    let una = api
        .creator(json!({"display_name": "Una Unknown", "niches": ["food"],
            "social_accounts": [{"platform": "instagram", "handle": "una"}]}))
        .await;
    api.creator(json!({"display_name": "Pia Plain", "niches": ["food"]})).await;
    assert_eq!(una["tier"], Value::Null, "{una}");

    for listing in [
        "/creators?max_followers=9999",
        "/creators?max_followers=9999&sort=-followers",
        "/creators?tier=nano",
        "/creators?tier=nano&sort=-fit",
        "/creators?max_followers=9999&q=food",
        "/creators?max_average_views=1000",
    ] {
        let (s, v) = api.get(listing).await;
        assert_eq!(s, StatusCode::OK, "{listing}: {v}");
        assert_eq!(names(&v), ["Nora Small"], "{listing}");
        assert_eq!(v["total"], 1, "{listing}: {v}");
    }
    let (_, v) = api.get("/creators?facets=tier").await;
    assert_eq!(
        v["facets"]["tiers"],
        json!([{"value": "unknown", "count": 2}, {"value": "nano", "count": 1}]),
        "counted apart: {v}"
    );
    for listing in ["/creators?tier=unknown&sort=name", "/creators?tier=Unknown&sort=-fit"] {
        let (s, v) = api.get(listing).await;
        assert_eq!(s, StatusCode::OK, "{listing}: {v}");
        let mut found = names(&v);
        found.sort();
        assert_eq!(found, ["Pia Plain", "Una Unknown"], "{listing}: those without follower data");
    }
    let (s, v) = api.get("/creators?tier=tiny").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("or unknown"), "{v}");
    // Bounds that could find no one are named, not answered with an empty list.
    for (listing, field) in [
        ("max_followers=0", "max_followers"),
        ("min_followers=0&max_followers=0", "max_followers"),
        ("max_average_views=0&niche=food", "max_average_views"),
        ("tier=unknown&min_followers=5", "tier"),
        ("tier=nano&min_followers=20000", "tier"),
        ("tier=mega&max_followers=50k", "tier"),
    ] {
        let (s, v) = api.get(&format!("/creators?{listing}")).await;
        assert_eq!(
            (s, v["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{listing}: {v}"
        );
    }
    let (_, v) = api.get("/creators?max_followers=0").await;
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("tier=unknown"), "the way to them: {v}");
    let (_, v) = api.get("/creators?sort=-followers").await;
    assert_eq!(names(&v).len(), 3, "no bound, everyone: {v}");

    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/creators").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page.matches("tier-nano").count(), 1, "only Nora is shown as nano");
    assert!(page.contains("<option value=\"unknown\">No follower data</option>"), "a tier to find them by");
    assert!(
        page.contains("No follower data</span><span class=\"facet-count\">2</span>"),
        "and a facet value with its count"
    );
    let (_, page) = b.get("/creators?tier=unknown").await;
    assert!(page.contains("Una Unknown") && !page.contains("Nora Small"), "listed by it");
}

/// The HTML of the list page's row of `name` (from the name to the end of its row).
fn row_of<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page.find(&format!("<span class=\"person-name\">{name}</span>")).unwrap_or_else(|| panic!("{name}"));
    let rest = &page[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

/// Sorted by fit or engagement, the user sees the figures the order comes from: each row
/// shows the main account's engagement rate and the fit score (the one the creator's page
/// explains); a hand-picked list sorts by them too, among its members.
async fn the_list_shows_each_creators_engagement_and_fit_score(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let plain = api.creator(json!({"display_name": "Pia Plain"})).await;
    let b = app.signed_in(&p).await;
    let (s, page) = b.get("/creators?sort=-fit").await;
    assert_eq!(s, StatusCode::OK);
    let (_, listed) = api.get("/creators?sort=-fit").await;
    let mut shown = Vec::new();
    for c in listed["items"].as_array().unwrap() {
        let (name, id) = (c["display_name"].as_str().unwrap(), c["id"].as_str().unwrap());
        let (_, one) = api.get(&format!("/creators/{id}")).await;
        let score = one["insights"]["fit"]["score"].as_u64().unwrap();
        assert_eq!(c["fit_score"].as_u64(), Some(score), "the API's listing sorted by fit carries it too");
        let row = row_of(&page, name);
        assert!(row.contains(&format!(">{score}</span>")), "{name}'s fit {score}: {row}");
        shown.push((page.find(row).unwrap(), score));
    }
    assert!(shown.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1), "best fit first: {shown:?}");
    assert!(row_of(&page, "Tom Ride").contains("6.0 %"), "the main account's engagement");
    assert!(row_of(&page, "Marie Schäfer").contains("3.1 %"));
    assert!(row_of(&page, "Pia Plain").contains("<td class=\"num\">—</td>"), "no engagement known");
    assert!(page.contains("sort=-engagement"), "engagement is a sort link");
    let (_, other) = api.get("/creators?sort=-followers").await;
    assert!(other["items"][0].get("fit_score").is_none(), "another sort leaves it out: {other}");

    let (_, list) = api.post("/shortlists", json!({"name": "Picked"})).await;
    let id = list["id"].as_str().unwrap();
    let (s, _) = api.post(&format!("/shortlists/{id}/members"), json!({"creator_ids": [plain["id"]]})).await;
    assert!(s.is_success(), "{s}");
    let (s, page) = b.get(&format!("/creators?shortlist={id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("sort=-fit") && page.contains("sort=-engagement"), "a hand-picked list sorts by them too");
    let (s, page) = b.get(&format!("/creators?shortlist={id}&sort=-fit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Pia Plain") && !page.contains("alert-error"), "among its members: {page}");
}

/// The CSV a list exports has each creator's fit score (as the creator's page gives it),
/// owner's name — what a sheet shared with a client needs — and the accounts beyond the
/// first of each platform; an import leaves these computed columns alone.
async fn a_csv_export_carries_the_fit_score_the_owner_and_every_account(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let owner = crate::email::user_id(&app, &p).await;
    let tom = api.get("/creators?q=tom").await.1["items"][0].clone();
    let (s, _) = api.patch(&format!("/creators/{}", tom["id"].as_str().unwrap()), json!({"owner_id": owner})).await;
    assert!(s.is_success(), "{s}");
    let tom_id = tom["id"].as_str().unwrap();
    for (handle, followers) in [("tomrides.shorts", json!(2500)), ("tomrides.live", Value::Null)] {
        let account = json!({"platform": "youtube", "handle": handle, "followers": followers});
        let (s, v) = api.post(&format!("/creators/{tom_id}/accounts"), account).await;
        assert!(s.is_success(), "{v}");
    }
    let r = api.get_raw("/creators/export?format=csv&sort=-fit").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}: {header:?}"));
    let (id, fit, owner_col, name) = (col("id"), col("fit_score"), col("owner"), col("display_name"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        let (_, one) = api.get(&format!("/creators/{}", &r[id])).await;
        assert_eq!(r[fit].parse::<u64>().ok(), one["insights"]["fit"]["score"].as_u64(), "{}", &r[name]);
        let owned = &r[name] == "Tom Ride";
        assert_eq!(r[owner_col].is_empty(), !owned, "{}: {:?}", &r[name], &r[owner_col]);
    }
    let json = api.get_raw("/creators/export?format=json").await.text().await.unwrap();
    let json: Value = serde_json::from_str(&json).unwrap();
    for c in json.as_array().unwrap() {
        let r = rows.iter().find(|r| r[id] == *c["id"].as_str().unwrap()).unwrap();
        assert_eq!(c["fit_score"].as_u64().map(|f| f.to_string()).as_deref(), Some(&r[fit]), "the JSON export's too");
    }
    let (_, me) = api.get(&format!("/creators/{tom_id}")).await;
    assert!(rows.iter().any(|r| r[owner_col] == *me["owner_name"].as_str().unwrap()), "the owner's name");
    let (others, youtube) = (col("other_accounts"), col("youtube_handle"));
    assert_eq!(others, header.len() - 1, "the last column");
    let tom_row = rows.iter().find(|r| &r[name] == "Tom Ride").unwrap();
    assert_eq!(&tom_row[youtube], "tomrides", "the largest YouTube account in the platform's columns");
    assert_eq!(&tom_row[others], "youtube @tomrides.shorts, 2500 followers; youtube @tomrides.live");
    assert!(rows.iter().filter(|r| &r[name] != "Tom Ride").all(|r| r[others].is_empty()));
}

/// Followers, engagement and audience are judged on a creator's largest account: with a
/// platform filter as well, the page says so (the creator found may be large elsewhere).
async fn platform_and_follower_filters_together_say_which_account_the_figures_are(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    seed(&api).await;
    let b = app.signed_in(&p).await;
    let note = "audience filters at the largest one with an audience breakdown, which may be on another platform than";
    for (listing, shown) in [
        ("/creators?platform=tiktok,youtube&min_followers=1000", Some("TikTok or YouTube")),
        ("/creators?platform=instagram&tier=mid", Some("Instagram")),
        ("/creators?platform=instagram&min_engagement=1", Some("Instagram")),
        ("/creators?platform=instagram", None),
        ("/creators?min_followers=1000", None),
    ] {
        let (s, page) = b.get(listing).await;
        assert_eq!(s, StatusCode::OK, "{listing}");
        let said = page.find(note).map(|at| &page[at + note.len()..]);
        match shown {
            Some(platforms) => {
                assert!(said.is_some_and(|rest| rest.trim_start().starts_with(platforms)), "{listing}: {said:?}")
            }
            None => assert!(said.is_none(), "{listing}"),
        }
    }
}

/// "10k", "10,000" and "1.2M" are follower counts, and "UK" or "Germany" countries, in a
/// listing's filters as in an import; what is neither is named with an example.
async fn filters_take_counts_and_countries_as_people_write_them(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    for (name, country, followers) in [("Gus", "GB", 20_000), ("Dora", "DE", 1_500_000), ("Ines", "IE", 20_000)] {
        api.creator(json!({"display_name": name, "country": country, "social_accounts": [
            {"platform": "instagram", "handle": name, "followers": followers, "average_views": followers / 10}]}))
            .await;
    }
    for url in [
        "/creators?min_followers=10k&max_followers=1.2M&country=uk,Germany&sort=-followers",
        "/creators?min_followers=10,000&country=GB,DE&sort=-followers",
        "/creators?min_average_views=1.5K&country=gbr,deutschland&sort=-followers",
    ] {
        let (s, v) = api.get(url).await;
        assert_eq!(s, StatusCode::OK, "{url}: {v}");
        let want: &[&str] = if url.contains("1.2M") { &["Gus"] } else { &["Dora", "Gus"] };
        assert_eq!(names(&v), want, "{url}");
    }
    let (s, v) = api.get("/creators?min_followers=lots&country=Narnia").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let message =
        |f: &str| v["fields"].as_array().unwrap().iter().find(|e| e["field"] == f).unwrap()["message"].clone();
    assert!(message("min_followers").as_str().unwrap().contains("10k"), "{v}");
    assert!(message("country").as_str().unwrap().contains("“Narnia” is not a country"), "{v}");
    // A fraction of a follower is a typing mistake, not a bound to round.
    let (s, v) = api.get("/creators?max_followers=0.5&min_average_views=12.5").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["max_followers", "min_average_views"]);
    assert_eq!(v["fields"][0]["message"], "“0.5” must be a whole number ≥ 0, such as 10000, 10k or 1.2M");
}

/// The facet panel shows each group's eight largest values; one chosen beyond them is shown
/// too, ticked, so it can be unticked where it was ticked.
async fn a_chosen_facet_value_stays_in_its_group_beyond_the_eight_largest(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    for (k, country) in ["DE", "FR", "GB", "US", "IT", "ES", "NL", "PL", "SE"].iter().enumerate() {
        for n in 0..2 {
            api.creator(json!({"display_name": format!("C{k} {n}"), "country": country})).await;
        }
    }
    api.creator(json!({"display_name": "Zola", "country": "ZA"})).await;
    let b = app.signed_in(&person).await;
    let (s, page) = b.get("/creators?country=ZA").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Zola"), "listed");
    let ticked = "class=\"is-selected\" aria-current=\"true\"><span><span aria-hidden=\"true\">✓ </span>ZA</span>";
    assert!(page.contains(ticked), "ZA is in the country group, ticked");
    let (_, page) = b.get("/creators?country=DE").await;
    assert!(!page.contains(">ZA</span>"), "unchosen, the ninth and tenth stay out");
}

/// Sorting by name works whatever the filters: with search words or discovery filters (which
/// the search index answers) the order is the database's — accents folded — in pages that
/// continue, both ways; a filtered list's Name header no longer leads to an error.
async fn search_words_and_discovery_filters_sort_by_name_too(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    for (name, country) in
        [("Zoe Park", "DE"), ("Élodie Martin", "FR"), ("Adam Berg", "DE"), ("Łukasz Nowak", "PL"), ("Ömer Kaya", "DE")]
    {
        api.creator(json!({"display_name": name, "country": country, "niches": ["food"], "bio": "vegan baking"})).await;
    }
    api.creator(json!({"display_name": "Bruno Other", "country": "IT", "niches": ["travel"]})).await;
    let all = ["Adam Berg", "Élodie Martin", "Łukasz Nowak", "Ömer Kaya", "Zoe Park"];
    for filters in ["q=vegan", "niche=food", "country=DE,FR,PL", "niche=food&facets=true"] {
        for desc in [false, true] {
            let url = format!("/creators?{filters}&sort={}name&limit=2", if desc { "-" } else { "" });
            let mut got = Vec::new();
            let mut next = url.clone();
            loop {
                let (s, v) = api.get(&next).await;
                assert_eq!(s, StatusCode::OK, "{next}: {v}");
                got.extend(names(&v));
                match v["next_cursor"].as_str() {
                    Some(c) => next = format!("{url}&cursor={c}"),
                    None => break,
                }
            }
            let mut want: Vec<&str> = all.to_vec();
            if desc {
                want.reverse();
            }
            assert_eq!(got, want, "{url}");
        }
    }
    let b = app.signed_in(&person).await;
    let (s, page) = b.get("/creators?niche=food&sort=name").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("alert-error"), "{page}");
    assert!(page.find("Adam Berg").unwrap() < page.find("Zoe Park").unwrap());
}

/// A profile URL copied from a browser into the search box finds the creator with that
/// account, as typing the handle does.
async fn a_pasted_profile_url_searches_its_handle(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "Paul Yilmaz", "social_accounts": [{"platform": "instagram", "handle": "thepaulyilmaz"}]}))
        .await;
    api.creator(json!({"display_name": "Other Person"})).await;
    for q in ["https://www.instagram.com/thepaulyilmaz/", "instagram.com/thepaulyilmaz?hl=en", "@thepaulyilmaz"] {
        let url = format!("/creators?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
        let (s, v) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        assert_eq!(names(&v), ["Paul Yilmaz"], "{q}");
    }
}
