//! How listings order and page: names sort without their accents, index pages continue
//! after the last creator shown, and a repeated query parameter means all its values.

use crate::harness::TestApp;
use crate::search::{names, seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    names_sort_without_their_accents,
    index_pages_neither_skip_nor_repeat_when_creators_change_between_them,
    a_repeated_parameter_means_all_its_values,
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
