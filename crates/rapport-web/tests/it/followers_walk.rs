//! Filter-only listings sorted by followers with several platforms or countries, or with
//! engagement bounds, come from the database (a walk of its followers index): the results
//! and totals equal a brute-force filter, keyset pages cover them once, and the account
//! summary on the creator row (platforms, main account's engagement) follows every change
//! of accounts, merges and their undo. So do the same listings by name and by last update,
//! whether the filters match few creators (read through a filter's index) or many (a walk of
//! the sort's index). Sorted by followers, the index's projections answer such a listing once
//! they have caught up with every change, with the same pages as the database.

use crate::harness::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    followers_sorted_filter_listings_equal_a_brute_force_filter,
    filter_listings_by_name_and_by_update_equal_a_brute_force_filter,
    the_account_summary_follows_account_changes,
    the_account_summary_follows_a_merge_and_its_undo,
    every_platform_is_found_by_the_walk,
    pages_by_followers_continue_each_other_between_the_index_and_the_database,
    creators_without_a_known_following_come_last_in_either_follower_order,
);

const PLATFORMS: [&str; 5] = ["instagram", "tiktok", "youtube", "twitch", "x"];
const COUNTRIES: [&str; 4] = ["DE", "FR", "GB", "US"];

/// A creator as the brute-force model sees it.
struct Model {
    id: String,
    /// Creation order, which is the order of last update.
    k: i64,
    country: Option<&'static str>,
    /// `(platform, followers, engagement)`; the first is the main account (largest following).
    accounts: Vec<(&'static str, i64, Option<f64>)>,
    listed: bool,
}

impl Model {
    fn followers(&self) -> i64 {
        self.accounts.first().map_or(0, |a| a.1)
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn names(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap().to_string()).collect()
}

/// 36 creators: one or two accounts on varied platforms (distinct followings, some without an
/// engagement rate), one without accounts, one do-not-contact and one deleted.
async fn seed(api: &Api) -> Vec<Model> {
    let mut out = Vec::new();
    for k in 0..36i64 {
        let country = (k % 9 != 4).then(|| COUNTRIES[(k % 4) as usize]);
        let mut accounts = Vec::new();
        if k != 35 {
            let engagement = (k % 6 != 0).then(|| ((k * 7) % 13) as f64 + 0.5);
            accounts.push((PLATFORMS[(k % 5) as usize], 1000 + k * 997, engagement));
            if k % 3 == 0 {
                let bigger = k % 9 == 0;
                let followers = if bigger { 200_000 + k } else { 500 + k * 13 };
                accounts.push((PLATFORMS[((k + 2) % 5) as usize], followers, Some(9.5)));
            }
        }
        let body = json!({
            "display_name": format!("Creator {k}"),
            "country": country,
            "do_not_contact": k == 34,
            "social_accounts": accounts.iter().enumerate().map(|(n, (p, f, e))| json!({
                "platform": p, "handle": format!("@c{k}n{n}"), "followers": f, "engagement_rate_pct": e,
            })).collect::<Vec<_>>(),
        });
        let v = api.creator(body).await;
        if k == 33 {
            let (s, _) = api.delete(&format!("/creators/{}", id(&v))).await;
            assert!(s.is_success());
        }
        accounts.sort_by_key(|a| std::cmp::Reverse(a.1));
        out.push(Model { id: id(&v), k, country, accounts, listed: k != 33 && k != 34 });
    }
    out
}

/// One generated query: its URL parameters and the brute-force filter.
struct Case {
    platforms: Vec<&'static str>,
    countries: Vec<&'static str>,
    followers: (Option<i64>, Option<i64>),
    engagement: (Option<f64>, Option<f64>),
    order: Order,
}

/// The order a listing is asked in.
#[derive(Clone, Copy, Debug)]
enum Order {
    Followers {
        desc: bool,
    },
    Name {
        desc: bool,
    },
    /// The default: last updated first.
    Updated,
}

impl Case {
    fn of(i: usize) -> Case {
        // `n` distinct values from `at` on, every `step`th (coprime with the list's length).
        let pick = |from: &[&'static str], n: usize, at: usize, step: usize| -> Vec<&'static str> {
            (0..n).map(|j| from[(at + j * step) % from.len()]).collect()
        };
        Case {
            platforms: pick(&PLATFORMS, i % 4, i, 2),
            countries: pick(&COUNTRIES, (i / 2) % 4, i / 3, 1),
            followers: (
                (i % 3 == 1).then_some(5_000 + (i as i64) * 300),
                (i % 5 == 2).then_some(30_000 + (i as i64) * 700),
            ),
            engagement: (i.is_multiple_of(2).then_some((i % 7) as f64 + 0.5), (i % 7 == 3).then_some(10.5)),
            order: Order::Followers { desc: i % 6 != 5 },
        }
    }

    fn url(&self, limit: usize) -> String {
        let minus = |desc| if desc { "-" } else { "" };
        let mut p = vec![format!("limit={limit}")];
        match self.order {
            Order::Followers { desc } => p.push(format!("sort={}followers", minus(desc))),
            Order::Name { desc } => p.push(format!("sort={}name", minus(desc))),
            Order::Updated => {}
        }
        if !self.platforms.is_empty() {
            p.push(format!("platform={}", self.platforms.join(",")));
        }
        if !self.countries.is_empty() {
            p.push(format!("country={}", self.countries.join(",")));
        }
        p.extend(self.followers.0.map(|v| format!("min_followers={v}")));
        p.extend(self.followers.1.map(|v| format!("max_followers={v}")));
        p.extend(self.engagement.0.map(|v| format!("min_engagement={v}")));
        p.extend(self.engagement.1.map(|v| format!("max_engagement={v}")));
        format!("/creators?{}", p.join("&"))
    }

    fn matches(&self, m: &Model) -> bool {
        let f = m.followers();
        let main_engagement = m.accounts.first().and_then(|a| a.2);
        let within = |v: Option<f64>, (lo, hi): (Option<f64>, Option<f64>)| {
            (lo.is_none() && hi.is_none())
                || v.is_some_and(|v| lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v <= hi))
        };
        m.listed
            && (self.platforms.is_empty() || m.accounts.iter().any(|a| self.platforms.contains(&a.0)))
            && (self.countries.is_empty() || m.country.is_some_and(|c| self.countries.contains(&c)))
            && self.followers.0.is_none_or(|lo| f >= lo)
            && self.followers.1.is_none_or(|hi| f >= 1 && f <= hi)
            && within(main_engagement, self.engagement)
    }
}

/// Checks 40 generated listings in the order `order` gives each, against the brute-force filter:
/// the total, and every match once and in order over pages of 4 that follow the cursor.
async fn check_listings(api: &Api, all: &[Model], case_of: impl Fn(usize) -> Case) {
    for i in 0..40 {
        let case = case_of(i);
        let mut want: Vec<&Model> = all.iter().filter(|m| case.matches(m)).collect();
        match case.order {
            Order::Followers { .. } => want.sort_by_key(|m| m.followers()),
            // "Creator 7" sorts as "creator 7"; the names differ, so no tie reaches the id.
            Order::Name { .. } => want.sort_by_key(|m| format!("creator {}", m.k)),
            Order::Updated => want.sort_by_key(|m| std::cmp::Reverse(m.k)),
        }
        if matches!(case.order, Order::Followers { desc: true } | Order::Name { desc: true }) {
            want.reverse();
        }
        let want: Vec<String> = want.iter().map(|m| m.id.clone()).collect();
        let (mut got, mut url, mut first) = (Vec::new(), case.url(4), true);
        loop {
            let (s, v) = api.get(&url).await;
            assert_eq!(s, StatusCode::OK, "{url}: {v}");
            if first {
                assert_eq!(v["total"].as_u64(), Some(want.len() as u64), "{url}");
                first = false;
            }
            got.extend(v["items"].as_array().unwrap().iter().map(id));
            match v["next_cursor"].as_str() {
                Some(c) => url = format!("{}&cursor={c}", case.url(4)),
                None => break,
            }
            assert!(got.len() <= want.len(), "{url}: more pages than matches");
        }
        assert_eq!(got, want, "{}", case.url(4));
    }
}

async fn followers_sorted_filter_listings_equal_a_brute_force_filter(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let all = seed(&api).await;
    check_listings(&api, &all, Case::of).await;
}

/// At most one platform and one country, and follower bounds: the database lists these in any
/// order. With 36 creators and pages of 4, a listing matching 14 or more is broad enough to
/// walk the sort's index; the generated filters match from none to 34.
async fn filter_listings_by_name_and_by_update_equal_a_brute_force_filter(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let all = seed(&api).await;
    check_listings(&api, &all, |i| {
        let case = Case::of(i);
        Case {
            platforms: case.platforms.into_iter().take(1).collect(),
            countries: case.countries.into_iter().take(1).collect(),
            engagement: (None, None),
            order: match i % 3 {
                0 => Order::Name { desc: false },
                1 => Order::Name { desc: true },
                _ => Order::Updated,
            },
            ..case
        }
    })
    .await;
}

async fn listed(api: &Api, query: &str) -> Vec<String> {
    let (s, v) = api.get(&format!("/creators?{query}&sort=-followers")).await;
    assert_eq!(s, StatusCode::OK, "{query}: {v}");
    names(&v)
}

async fn the_account_summary_follows_account_changes(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = api
        .creator(json!({"display_name": "Ana", "country": "DE", "social_accounts": [
            {"platform": "instagram", "handle": "@ana", "followers": 10000, "engagement_rate_pct": 2.0}]}))
        .await;
    let a = id(&ana);
    let video = "platform=tiktok,youtube";
    let engaged = "country=DE,FR&min_engagement=4";
    assert!(listed(&api, video).await.is_empty());

    let (s, tiktok) = api
        .post(
            &format!("/creators/{a}/accounts"),
            json!({"platform": "tiktok", "handle": "@ana", "followers": 50000, "engagement_rate_pct": 5.0}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tiktok}");
    let t = id(&tiktok);
    assert_eq!(listed(&api, video).await, ["Ana"], "an added account adds its platform");
    assert_eq!(listed(&api, engaged).await, ["Ana"], "the larger account is the main one");

    let (s, _) = api.patch(&format!("/creators/{a}/accounts/{t}"), json!({"followers": 5000})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(listed(&api, engaged).await.is_empty(), "Instagram is the main account again");
    assert_eq!(listed(&api, "country=DE,FR&max_engagement=3").await, ["Ana"]);

    let (s, _) = api.patch(&format!("/creators/{a}/accounts/{t}"), json!({"platform": "twitch"})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(listed(&api, video).await.is_empty(), "a changed platform leaves the old one");
    assert_eq!(listed(&api, "platform=twitch,x").await, ["Ana"]);

    let (s, _) = api.delete(&format!("/creators/{a}/accounts/{t}")).await;
    assert!(s.is_success());
    assert!(listed(&api, "platform=twitch,x").await.is_empty(), "a deleted account takes its platform");
    assert_eq!(listed(&api, "platform=instagram,x").await, ["Ana"]);
}

async fn the_account_summary_follows_a_merge_and_its_undo(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = api
        .creator(json!({"display_name": "Ana", "country": "DE", "social_accounts": [
            {"platform": "instagram", "handle": "@ana", "followers": 10000, "engagement_rate_pct": 2.0}]}))
        .await;
    let bea = api
        .creator(json!({"display_name": "Bea", "country": "FR", "social_accounts": [
            {"platform": "twitch", "handle": "@bea", "followers": 30000, "engagement_rate_pct": 7.0}]}))
        .await;
    let streams = "platform=twitch,x";
    let engaged = "country=DE,FR&min_engagement=5";
    assert_eq!(listed(&api, streams).await, ["Bea"]);

    let (s, m) = api.post(&format!("/creators/{}/merge", id(&ana)), json!({"loser_id": id(&bea)})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(listed(&api, streams).await, ["Ana"], "the survivor has the loser's accounts");
    assert_eq!(listed(&api, engaged).await, ["Ana"], "and its main account is the larger one");

    let (s, u) = api.post(&format!("/merges/{}/undo", id(&m)), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(listed(&api, streams).await, ["Bea"], "undo gives the accounts back");
    assert_eq!(listed(&api, engaged).await, ["Bea"]);
    assert_eq!(listed(&api, "platform=instagram,x").await, ["Ana"]);
}

async fn every_platform_is_found_by_the_walk(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let platforms: Vec<&str> = rapport_core::platform::Platform::ALL.iter().map(|p| p.slug()).collect();
    for (k, p) in platforms.iter().enumerate() {
        api.creator(json!({"display_name": format!("On {p}"), "social_accounts": [
            {"platform": p, "handle": format!("@creator{k}"), "followers": 1000 + k as i64}]}))
            .await;
    }
    for (k, p) in platforms.iter().enumerate() {
        let other = platforms[(k + 1) % platforms.len()];
        let mut got = listed(&api, &format!("platform={p},{other}")).await;
        got.sort();
        let mut want = vec![format!("On {p}"), format!("On {other}")];
        want.sort();
        assert_eq!(got, want, "{p}");
    }
}

/// Pages of `url` and its cursors, from the first (with `first`'s parameters) and the rest
/// (with `rest`'s): every id in order.
async fn pages(api: &Api, first: &str, rest: &str) -> Vec<String> {
    let (mut got, mut url) = (Vec::new(), first.to_string());
    loop {
        let (s, v) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{url}: {v}");
        got.extend(v["items"].as_array().unwrap().iter().map(id));
        match v["next_cursor"].as_str() {
            Some(c) => url = format!("{rest}&cursor={c}"),
            None => return got,
        }
        assert!(got.len() <= 100, "{url}: endless pages");
    }
}

/// Waits until the index's projections answer `query` (they do once the index has applied
/// every change).
async fn wait_for_the_index(app: &TestApp, ws: uuid::Uuid, query: &rapport_store::creators::ListQuery) {
    let started = std::time::Instant::now();
    loop {
        let latest = rapport_store::changes::latest(&mut app.app.db.read().await.unwrap().conn()).await.unwrap();
        if rapport_app::search::page_by_followers(&app.app, latest, ws, query).await.unwrap().is_some() {
            return;
        }
        assert!(started.elapsed().as_secs() < 10, "the index never answered {query:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Creators sharing few follower counts: ties, which both engines order by id in the sort's
/// direction. A listing only the database can answer (an `updated_since` that every creator
/// passes) gives the same pages, and a page from one engine continues into the other.
async fn pages_by_followers_continue_each_other_between_the_index_and_the_database(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let mut all: Vec<(String, i64, &str, &str)> = Vec::new();
    for k in 0..24i64 {
        let (platform, country) = (PLATFORMS[(k % 3) as usize], COUNTRIES[(k % 4) as usize]);
        let followers = [5_000, 20_000, 80_000][(k % 3) as usize] + if k % 5 == 0 { 1 } else { 0 };
        let v = api
            .creator(json!({"display_name": format!("Tied {k}"), "country": country, "social_accounts": [
                {"platform": platform, "handle": format!("@tied{k}"), "followers": followers,
                 "engagement_rate_pct": 3.0}]}))
            .await;
        all.push((id(&v), followers, platform, country));
    }
    // The index answers once it has applied every change.
    let ws = person.workspace.0;
    let query = rapport_store::creators::ListQuery {
        platforms: vec!["instagram".into(), "tiktok".into()],
        min_followers: Some(1_000),
        sort: Some((rapport_store::creators::SortKey::Followers, true)),
        limit: 4,
        ..Default::default()
    };
    wait_for_the_index(&app, ws, &query).await;

    for (filters, desc) in [
        ("platform=instagram,tiktok&min_followers=1000", true),
        ("platform=instagram,tiktok&min_followers=1000", false),
        ("country=DE,FR,GB&min_followers=5001", true),
        ("platform=youtube,x,instagram&country=US,DE&min_followers=1000&min_engagement=2", false),
    ] {
        let sort = if desc { "-followers" } else { "followers" };
        let by_index = format!("/creators?{filters}&sort={sort}&limit=4");
        let by_database = format!("{by_index}&updated_since=2000-01-01");
        let mut want: Vec<&(String, i64, &str, &str)> = all
            .iter()
            .filter(|(_, f, p, c)| {
                let platforms: Vec<&str> = filters.split('&').filter_map(|kv| kv.strip_prefix("platform=")).collect();
                let countries: Vec<&str> = filters.split('&').filter_map(|kv| kv.strip_prefix("country=")).collect();
                platforms.iter().all(|list| list.split(',').any(|x| x == *p))
                    && countries.iter().all(|list| list.split(',').any(|x| x == *c))
                    && *f >= if filters.contains("min_followers=5001") { 5_001 } else { 1_000 }
            })
            .collect();
        want.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        if desc {
            want.reverse();
        }
        let want: Vec<String> = want.into_iter().map(|m| m.0.clone()).collect();
        assert!(want.len() > 4, "{filters}: several pages");
        assert_eq!(pages(&api, &by_index, &by_index).await, want, "{by_index}");
        assert_eq!(pages(&api, &by_database, &by_database).await, want, "{by_database}");
        assert_eq!(pages(&api, &by_index, &by_database).await, want, "{by_index}, then the database");
        assert_eq!(pages(&api, &by_database, &by_index).await, want, "{by_database}, then the index");
    }
}

/// A creator no account of whom reports a following (an account without figures, or none)
/// is listed after every creator with one, sorted by followers either way — not first when
/// ascending, where the smallest creators are looked for — on every road: the database, the
/// index's projections, the index's search with a filter or words, and the list page.
async fn creators_without_a_known_following_come_last_in_either_follower_order(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let mut ids = std::collections::HashMap::new();
    for (name, followers) in
        [("Una", None), ("Ada", Some(20_000)), ("Vic", None), ("Bo", Some(5_000)), ("Wes", None), ("Cy", Some(300_000))]
    {
        let accounts = match (name, followers) {
            ("Una", _) => json!([{"platform": "instagram", "handle": "@una"}]),
            (_, Some(f)) => json!([{"platform": "tiktok", "handle": format!("@{name}"), "followers": f}]),
            _ => json!([]),
        };
        let v = api
            .creator(json!({"display_name": name, "niches": ["food"], "bio": "pasta recipes",
                "social_accounts": accounts}))
            .await;
        ids.insert(id(&v), name);
    }
    let query = rapport_store::creators::ListQuery {
        sort: Some((rapport_store::creators::SortKey::Followers, false)),
        limit: 2,
        ..Default::default()
    };
    wait_for_the_index(&app, person.workspace.0, &query).await;

    let named = |got: Vec<String>| got.iter().map(|i| ids[i]).collect::<Vec<_>>();
    for url in [
        "/creators?sort=followers&limit=2",
        "/creators?sort=followers&limit=2&updated_since=2000-01-01",
        "/creators?sort=followers&limit=2&niche=food",
        "/creators?sort=followers&limit=2&q=pasta",
    ] {
        // The unknown ones tie; every road orders ties by id, here the order of creation.
        assert_eq!(named(pages(&api, url, url).await), ["Bo", "Ada", "Cy", "Una", "Vic", "Wes"], "{url}");
        let descending = url.replace("sort=followers", "sort=-followers");
        let got = named(pages(&api, &descending, &descending).await);
        assert_eq!(got[..3], ["Cy", "Ada", "Bo"], "{descending}");
        let mut unknown = got[3..].to_vec();
        unknown.sort();
        assert_eq!(unknown, ["Una", "Vic", "Wes"], "{descending}");
    }
    let (s, v) = api.get("/creators?sort=followers&limit=4&updated_since=2000-01-01&min_followers=1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(names(&v), ["Bo", "Ada", "Cy"], "a lower bound leaves them out");

    let b = app.signed_in(&person).await;
    let (s, page) = b.get("/creators?sort=followers").await;
    assert_eq!(s, StatusCode::OK);
    let at = |name: &str| page.find(&format!("<span class=\"person-name\">{name}</span>")).unwrap();
    assert!(at("Bo") < at("Cy") && at("Cy") < at("Una"), "the list page too");
}
