//! Duplicates and merge: pairs with reasons, a merge that moves every related record and
//! applies the field choices, an exact undo, isolation, roles and CSRF.

use crate::harness::{Api, TestApp};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_merge_moves_everything_and_undo_restores_both_exactly,
    duplicates_are_listed_with_reasons,
    merge_routes_are_isolated_and_need_write_access,
    the_merge_form_needs_csrf_and_offers_undo,
    look_alike_handles_and_name_fragments_are_no_strong_duplicates,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// Two creators with accounts (with history), notes, tags, contacts and lists.
async fn pair(api: &Api) -> (Value, Value, String) {
    let ana = api
        .creator(json!({"display_name": "Ana Silva", "country": "BR", "languages": ["pt"], "tags": ["vip"],
            "custom_fields": {"size": "M", "agency": "A1"},
            "contact_points": [{"kind": "email", "value": "ana@example.com", "primary": true}],
            "social_accounts": [{"platform": "instagram", "handle": "@anasilva", "followers": 12000}]}))
        .await;
    let dup = api
        .creator(
            json!({"display_name": "Ana S.", "legal_name": "Ana Maria Silva", "country": "PT", "languages": ["en"],
            "tags": ["beauty", "vip"], "do_not_contact": true, "custom_fields": {"size": "L", "shoe": "38"},
            "contact_points": [{"kind": "email", "value": "ana.work@example.com", "primary": true},
                               {"kind": "phone", "value": "+55 11 91234-5678"}],
            "social_accounts": [{"platform": "tiktok", "handle": "@anasilva", "followers": 50000}]}),
        )
        .await;
    let (a, d) = (id(&ana), id(&dup));
    let tiktok = id(&dup["social_accounts"][0]);
    let (s, _) = api.patch(&format!("/creators/{d}/accounts/{tiktok}"), json!({"followers": 51000})).await;
    assert_eq!(s, StatusCode::OK);
    api.post(&format!("/creators/{d}/notes"), json!({"body": "Met at VidCon."})).await;
    api.post(&format!("/creators/{d}/notes"), json!({"body": "Prefers WhatsApp."})).await;
    api.post(&format!("/creators/{a}/notes"), json!({"body": "Great reels."})).await;
    for name in ["Both", "Only dup"] {
        let (_, l) = api.post("/shortlists", json!({"name": name})).await;
        let who = if name == "Both" { vec![a.clone(), d.clone()] } else { vec![d.clone()] };
        api.post(&format!("/shortlists/{}/members", id(&l)), json!({"creator_ids": who})).await;
    }
    let (_, dup) = api.get(&format!("/creators/{d}")).await;
    let (_, ana) = api.get(&format!("/creators/{a}")).await;
    (ana, dup, tiktok)
}

async fn list_len(api: &Api, path: &str) -> usize {
    let (s, v) = api.get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v.as_array().or_else(|| v["items"].as_array()).unwrap().len()
}

async fn a_merge_moves_everything_and_undo_restores_both_exactly(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (ana, dup, tiktok) = pair(&api).await;
    let (a, d) = (id(&ana), id(&dup));
    let dup_events = list_len(&api, &format!("/creators/{d}/timeline")).await;
    let ana_events = list_len(&api, &format!("/creators/{a}/timeline")).await;
    let (s, m) = api
        .post(
            &format!("/creators/{a}/merge"),
            json!({"loser_id": d, "choices": {"country": "loser", "custom_fields": "loser", "display_name": "survivor"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(
        m["moved"],
        json!({"accounts": 1, "contact_points": 2, "notes": 2, "timeline_events": dup_events,
        "shortlists": 1, "tags": 1, "tasks": 0, "interactions": 0, "emails": 0, "received_emails": 0,
        "sequence_enrollments": 0, "lock_overrides": 0, "collaborations": 0})
    );
    assert_eq!(m["choices"]["legal_name"], "loser", "only the loser had a legal name");
    let (_, c) = api.get(&format!("/creators/{a}")).await;
    assert_eq!(c["display_name"], "Ana Silva");
    assert_eq!(c["country"], "PT");
    assert_eq!(c["legal_name"], "Ana Maria Silva");
    assert_eq!(c["languages"], json!(["pt", "en"]));
    assert_eq!(c["tags"], json!(["beauty", "vip"]));
    assert_eq!(c["do_not_contact"], true);
    assert_eq!(c["custom_fields"], json!({"size": "L", "agency": "A1", "shoe": "38"}));
    assert_eq!(c["contact_points"].as_array().unwrap().len(), 3);
    assert_eq!(c["primary_email"], "ana@example.com", "the survivor keeps its primary email");
    assert_eq!(c["social_accounts"].as_array().unwrap().len(), 2);
    assert_eq!(c["max_followers"], 51000);
    let (_, snaps) = api.get(&format!("/creators/{a}/accounts/{tiktok}/snapshots")).await;
    assert_eq!(snaps.as_array().unwrap().len(), 2, "the account's history follows it");
    assert_eq!(list_len(&api, &format!("/creators/{a}/notes")).await, 3);
    let (_, lists) = api.get("/shortlists").await;
    assert!(lists.as_array().unwrap().iter().all(|l| l["members"] == 1), "{lists}");
    let (_, tl) = api.get(&format!("/creators/{a}/timeline")).await;
    assert_eq!(tl["items"].as_array().unwrap().len(), ana_events + dup_events + 1);
    assert_eq!(tl["items"][0]["action"], "creator.merged");
    let merged_from =
        tl["items"][0]["changes"].as_array().unwrap().iter().find(|c| c["field"] == "merged_from").unwrap();
    assert_eq!(merged_from["after"]["display_name"], "Ana S.");
    assert_eq!(api.get(&format!("/creators/{d}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&format!("/merges/{}", id(&m))).await.1["loser_name"], "Ana S.");

    let (s, u) = api.post(&format!("/merges/{}/undo", id(&m)), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert!(u["undone_at"].is_string());
    assert_eq!(api.get(&format!("/creators/{a}")).await.1, ana, "the survivor is exactly as before");
    assert_eq!(api.get(&format!("/creators/{d}")).await.1, dup, "the loser is back exactly");
    let (_, snaps) = api.get(&format!("/creators/{d}/accounts/{tiktok}/snapshots")).await;
    assert_eq!(snaps.as_array().unwrap().len(), 2);
    assert_eq!(list_len(&api, &format!("/creators/{d}/notes")).await, 2);
    assert_eq!(list_len(&api, &format!("/creators/{a}/notes")).await, 1);
    let (_, lists) = api.get("/shortlists").await;
    let members: Vec<i64> = lists.as_array().unwrap().iter().map(|l| l["members"].as_i64().unwrap()).collect();
    assert_eq!(members, vec![2, 1], "{lists}");
    let (_, tl) = api.get(&format!("/creators/{d}/timeline")).await;
    assert_eq!(tl["items"].as_array().unwrap().len(), dup_events + 1);
    assert_eq!(tl["items"][0]["action"], "creator.merge_undone");
    let (_, tl) = api.get(&format!("/creators/{a}/timeline")).await;
    assert_eq!(tl["items"][0]["action"], "creator.merge_undone");
    assert_eq!(tl["items"].as_array().unwrap().len(), ana_events + 2);
    let (s, _) = api.post(&format!("/merges/{}/undo", id(&m)), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a merge is undone once");
    // Search follows both.
    let mut found = Value::Null;
    for _ in 0..50 {
        found = api.get("/creators?q=ana&dnc=include").await.1;
        if found["total"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found["total"], 2, "both are searchable again: {found}");
}

async fn duplicates_are_listed_with_reasons(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (ana, dup, _) = pair(&api).await;
    api.creator(json!({"display_name": "Jörg Müller", "country": "DE"})).await;
    api.creator(json!({"display_name": "Jorg Muller", "country": "DE"})).await;
    api.creator(json!({"display_name": "Jorg Muller", "country": "AT"})).await;
    api.creator(json!({"display_name": "Web One", "contact_points": [{"kind": "website", "value": "https://www.ana.example/"}]}))
        .await;
    api.creator(json!({"display_name": "Web Two", "contact_points": [{"kind": "website", "value": "ana.example"}]}))
        .await;
    let (s, v) = api.get("/duplicates").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{v}");
    assert_eq!(v["truncated"], false);
    let find =
        |name: &str| items.iter().find(|p| p["a"]["display_name"] == name).unwrap_or_else(|| panic!("{name}: {v}"));
    let web = find("Web One");
    assert_eq!(web["strong"], true);
    assert_eq!(web["reasons"][0], "same website ana.example");
    let names = find("Jörg Müller");
    assert_eq!(names["b"]["display_name"], "Jorg Muller");
    assert_eq!(names["reasons"], json!(["similar name, same country DE"]));
    assert_eq!(names["strong"], false);
    let ana_pair = find("Ana Silva");
    assert_eq!(ana_pair["b"]["id"], dup["id"]);
    assert_eq!(ana_pair["a"]["id"], ana["id"]);
    assert_eq!(ana_pair["reasons"], json!(["same handle @anasilva on Instagram and TikTok"]));
    let browser = app.signed_in(&app.person_in("Acme", "viewer@example.com", Role::Viewer).await).await;
    let (s, page) = browser.get("/duplicates").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("same handle @anasilva on Instagram and TikTok") && page.contains("Compare and merge"));
}

async fn merge_routes_are_isolated_and_need_write_access(app: TestApp) {
    let (a, a_person) = app.api_in_new_workspace("Alpha").await;
    let (b, _) = app.api_in_new_workspace("Beta").await;
    let x = id(&a.creator(json!({"display_name": "X"})).await);
    let y = id(&a.creator(json!({"display_name": "Y"})).await);
    let own = id(&b.creator(json!({"display_name": "Own"})).await);
    assert_eq!(b.post(&format!("/creators/{x}/merge"), json!({"loser_id": y})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.post(&format!("/creators/{own}/merge"), json!({"loser_id": x})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.post(&format!("/creators/{x}/merge"), json!({"loser_id": own})).await.0, StatusCode::NOT_FOUND);
    let (s, v) = a.post(&format!("/creators/{x}/merge"), json!({"loser_id": x})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "loser_id");
    let (s, v) =
        a.post(&format!("/creators/{x}/merge"), json!({"loser_id": y, "choices": {"followers": "loser"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "choices.followers");
    let (s, v) = a.post(&format!("/creators/{x}/merge"), json!({"loser_id": y, "choices": {"bio": "both"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "choices.bio");
    let (s, v) = a.post(&format!("/creators/{x}/merge"), json!({"loser_id": "nope"})).await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("loser_id")));
    let reader = app.api(&app.key(a_person.workspace, "read").await);
    assert_eq!(reader.post(&format!("/creators/{x}/merge"), json!({"loser_id": y})).await.0, StatusCode::FORBIDDEN);
    let (s, m) = a.post(&format!("/creators/{x}/merge"), json!({"loser_id": y})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = id(&m);
    assert_eq!(b.get(&format!("/merges/{mid}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.post(&format!("/merges/{mid}/undo"), json!({})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(reader.post(&format!("/merges/{mid}/undo"), json!({})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/duplicates").await.1["items"], json!([]));
    let viewer = app.signed_in(&app.person_in("Alpha", "viewer@example.com", Role::Viewer).await).await;
    assert_eq!(viewer.submit(&format!("/merges/{mid}/undo"), &[]).await.0, StatusCode::FORBIDDEN);
    let z = id(&a.creator(json!({"display_name": "Z"})).await);
    let form = [("survivor", x.as_str()), ("loser", z.as_str())];
    assert_eq!(viewer.submit("/duplicates/merge", &form).await.0, StatusCode::FORBIDDEN);
    let stranger = app.signed_in(&app.workspace("Gamma", Role::Owner).await).await;
    assert_eq!(stranger.submit(&format!("/merges/{mid}/undo"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stranger.submit("/duplicates/merge", &form).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get(&format!("/duplicates/compare?survivor={x}&loser={z}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(a.post(&format!("/merges/{mid}/undo"), json!({})).await.0, StatusCode::OK);
}

async fn the_merge_form_needs_csrf_and_offers_undo(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let (ana, dup, _) = pair(&api).await;
    let (a, d) = (id(&ana), id(&dup));
    let b = app.signed_in(&owner).await;
    let (s, page) = b.get(&format!("/duplicates/compare?survivor={a}&loser={d}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("1 account, 2 contact points, 2 notes"), "preview of what moves");
    assert!(page.contains("name=\"legal_name\" value=\"loser\" checked"), "the only value is the default");
    let form = [("survivor", a.as_str()), ("loser", d.as_str()), ("country", "loser")];
    let (s, _) = b.post("/duplicates/merge", &form).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");
    assert_eq!(api.get(&format!("/creators/{d}")).await.0, StatusCode::OK);
    let (s, loc) = b.submit("/duplicates/merge", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    assert!(loc.starts_with("/duplicates?merged=mg_"), "{loc}");
    assert_eq!(api.get(&format!("/creators/{a}")).await.1["country"], "PT");
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("Merged Ana S. into Ana Silva") && page.contains("Undo merge"));
    let undo = format!("/merges/{}/undo", loc.trim_start_matches("/duplicates?merged="));
    assert!(page.contains(&format!("action=\"{undo}\"")));
    assert_eq!(b.post(&undo, &[]).await.0, StatusCode::FORBIDDEN, "no CSRF token");
    let (s, loc) = b.submit(&undo, &[]).await;
    assert_eq!((s, loc), (StatusCode::SEE_OTHER, format!("/creators/{a}")));
    assert_eq!(api.get(&format!("/creators/{d}")).await.1, dup);
    assert_eq!(api.get(&format!("/creators/{a}")).await.1, ana);
}

/// @anna.b and @anna_b are two Instagram accounts (one platform keeps a handle once), so
/// they are a weak sign, said as "similar"; "Lena" is not a similar name to "Helena
/// Virtanen", while "Lena Berg" is to "Lena Berg Studio".
async fn look_alike_handles_and_name_fragments_are_no_strong_duplicates(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let account = |h: &str| json!([{"platform": "instagram", "handle": h}]);
    api.creator(json!({"display_name": "Anna B", "country": "DE", "social_accounts": account("anna.b")})).await;
    api.creator(json!({"display_name": "Anna Bee", "country": "AT", "social_accounts": account("anna_b")})).await;
    api.creator(json!({"display_name": "Lena", "country": "FI"})).await;
    api.creator(json!({"display_name": "Helena Virtanen", "country": "FI"})).await;
    api.creator(json!({"display_name": "Lena Berg Studio", "country": "SE"})).await;
    api.creator(json!({"display_name": "Lena Berg", "country": "SE"})).await;
    let (s, v) = api.get("/duplicates").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let pairs: Vec<(String, String, Value, Value)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (p["a"]["display_name"].as_str().unwrap(), p["b"]["display_name"].as_str().unwrap());
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            (a.to_string(), b.to_string(), p["reasons"].clone(), p["strong"].clone())
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            (
                "Anna B".into(),
                "Anna Bee".into(),
                json!(["similar handles @anna.b / @anna_b on Instagram"]),
                json!(false)
            ),
            ("Lena Berg".into(), "Lena Berg Studio".into(), json!(["similar name, same country SE"]), json!(false)),
        ],
        "{v}"
    );
}
