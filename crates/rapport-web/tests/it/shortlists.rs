//! Shortlists: saved searches stay dynamic, hand-picked lists keep who was added, bulk
//! add by ticked ids or by every result, isolation between workspaces.

use crate::harness::TestApp;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::db_tests!(
    a_hand_picked_list_collects_creators_in_bulk,
    a_saved_search_is_dynamic,
    shortlists_of_another_workspace_answer_404,
    ticked_creators_are_added_and_removed_from_the_list_page,
    applying_the_filter_form_keeps_the_list_the_sort_and_what_it_has_no_field_for,
    filters_in_error_offer_no_saved_search,
    a_refused_bulk_action_says_so_as_a_warning,
    a_hand_picked_list_is_searched_and_filtered_among_its_members,
);

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> =
        v["items"].as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap().to_string()).collect();
    n.sort();
    n
}

async fn a_hand_picked_list_collects_creators_in_bulk(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let a = api.creator(json!({"display_name": "Ana", "tags": ["vip"]})).await;
    api.creator(json!({"display_name": "Ben", "tags": ["vip"]})).await;
    api.creator(json!({"display_name": "Cleo"})).await;
    let (s, list) = api.post("/shortlists", json!({"name": "Spring launch"})).await;
    assert_eq!(s, StatusCode::CREATED, "{list}");
    assert_eq!(list["kind"], "static");
    let id = list["id"].as_str().unwrap();
    let (s, v) = api.post(&format!("/shortlists/{id}/members"), json!({"query": "tag=vip"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["changed"], 2);
    let (_, v) = api.post(&format!("/shortlists/{id}/members"), json!({"creator_ids": [a["id"]]})).await;
    assert_eq!(v["changed"], 0, "already on the list");
    let (_, members) = api.get(&format!("/creators?shortlist={id}")).await;
    assert_eq!(names(&members), vec!["Ana", "Ben"]);
    // The list does not follow the tag: it keeps who was added.
    api.patch(&format!("/creators/{}", a["id"].as_str().unwrap()), json!({"tags": []})).await;
    assert_eq!(api.get(&format!("/creators?shortlist={id}")).await.1["total"], 2);
    let req = reqwest::Client::new()
        .delete(app.url(&format!("/api/v1/shortlists/{id}/members")))
        .bearer_auth(&api.key)
        .json(&json!({"creator_ids": [a["id"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(req.status(), StatusCode::OK);
    assert_eq!(names(&api.get(&format!("/creators?shortlist={id}")).await.1), vec!["Ben"]);
    let (_, l) = api.get(&format!("/shortlists/{id}")).await;
    assert_eq!(l["members"], 1);
    let (s, v) = api.post(&format!("/shortlists/{id}/members"), json!({"creator_ids": ["cr_nope"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "creator_ids.0");
    let (s, _) = api.post("/shortlists", json!({"name": " "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_saved_search_is_dynamic(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    api.creator(json!({"display_name": "Ana", "country": "BR"})).await;
    let (s, saved) =
        api.post("/shortlists", json!({"name": "Brazil", "kind": "saved_search", "query": "country=BR"})).await;
    assert_eq!(s, StatusCode::CREATED, "{saved}");
    let query = saved["query"].as_str().unwrap().to_string();
    assert_eq!(api.get(&format!("/creators?{query}")).await.1["total"], 1);
    api.creator(json!({"display_name": "Bia", "country": "BR"})).await;
    assert_eq!(api.get(&format!("/creators?{query}")).await.1["total"], 2, "new matches appear");
    let (_, page) = api
        .post(
            "/shortlists",
            json!({"name": "Food", "kind": "saved_search",
        "query": "niche=food&min_followers=10000&audience_gender=female%3A60&q=vegan+bakes"}),
        )
        .await;
    assert!(page["id"].is_string(), "{page}");
    let (_, page) = app.signed_in(&person).await.get("/shortlists").await;
    assert!(page.contains("Country: BR"), "a saved search is summed up as its filters' chips: {page}");
    assert!(
        page.contains("Niche: food · Followers ≥ 10000 · Audience female ≥ 60 % · Search: vegan bakes"),
        "not as its raw query string: {page}"
    );
    let (s, v) = api
        .post(&format!("/shortlists/{}/members", saved["id"].as_str().unwrap()), json!({"query": "country=BR"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = api.post("/shortlists", json!({"name": "Bad", "kind": "saved_search", "query": "tier=giant"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("tier"));
}

async fn shortlists_of_another_workspace_answer_404(app: TestApp) {
    let (a, _) = app.api_in_new_workspace("Alpha").await;
    let (b, b_person) = app.api_in_new_workspace("Beta").await;
    let c = a.creator(json!({"display_name": "Ana"})).await;
    let (_, list) = a.post("/shortlists", json!({"name": "Alpha list"})).await;
    let id = list["id"].as_str().unwrap();
    assert_eq!(b.get(&format!("/shortlists/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.patch(&format!("/shortlists/{id}"), json!({"name": "x"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        b.post(&format!("/shortlists/{id}/members"), json!({"creator_ids": [c["id"]]})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(b.delete(&format!("/shortlists/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/shortlists").await.1, json!([]));
    // Beta's own list cannot take Alpha's creator, which is named as no creator of Beta's (as an
    // id of no creator at all is).
    let (_, own) = b.post("/shortlists", json!({"name": "Beta list"})).await;
    let own_members = format!("/shortlists/{}/members", own["id"].as_str().unwrap());
    for id in [c["id"].clone(), json!("cr_00000000000000000000000000000000")] {
        let (s, v) = b.post(&own_members, json!({"creator_ids": [id]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["fields"][0]["field"], "creator_ids.0");
        assert!(v["fields"][0]["message"].as_str().unwrap().ends_with("is not a creator of this workspace"), "{v}");
    }
    let many: Vec<String> = (0..5001).map(|_| c["id"].as_str().unwrap().to_owned()).collect();
    let (s, v) = b.post(&own_members, json!({"creator_ids": many})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0], json!({"field": "creator_ids", "message": "has 5001 ids; at most 5000 at a time"}));
    let (s, v) = b.get(&format!("/creators?shortlist={id}")).await;
    assert_eq!(
        (s, &v["fields"][0]["message"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("is not a list of this workspace"))
    );
    let browser = app.signed_in(&b_person).await;
    assert_eq!(browser.get(&format!("/creators?shortlist={id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(browser.submit(&format!("/shortlists/{id}/delete"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(a.get(&format!("/shortlists/{id}")).await.0, StatusCode::OK);
}

async fn ticked_creators_are_added_and_removed_from_the_list_page(app: TestApp) {
    let owner = app.workspace("Acme", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let ana = api.creator(json!({"display_name": "Ana"})).await;
    let ben = api.creator(json!({"display_name": "Ben"})).await;
    api.creator(json!({"display_name": "Cleo"})).await;
    let b = app.signed_in(&owner).await;
    let (s, _) = b.submit("/shortlists", &[("name", "Picks"), ("kind", "static")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, lists) = api.get("/shortlists").await;
    let list = lists[0]["id"].as_str().unwrap().to_string();
    let (_, page) = b.get("/creators").await;
    assert!(page.contains("Add ticked"));
    let (ana_id, ben_id) = (ana["id"].as_str().unwrap(), ben["id"].as_str().unwrap());
    let (s, loc) = b
        .submit(
            "/shortlists/members",
            &[("list", &list), ("action", "add"), ("id", ana_id), ("id", ben_id), ("back", "/creators")],
        )
        .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/creators"));
    let (_, page) = b.get(&format!("/creators?shortlist={list}")).await;
    assert!(page.contains("Picks") && page.contains(">Ana<") && page.contains(">Ben<") && !page.contains(">Cleo<"));
    assert!(page.contains("List: Picks") && !page.contains(&format!("shortlist: {list}")), "the chip names the list");
    assert!(page.contains("Best fit") && page.contains("Largest following"), "a list takes every sort");
    let (s, _) = b
        .submit(
            "/shortlists/members",
            &[("list", &list), ("action", "remove"), ("id", ana_id), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(api.get(&format!("/creators?shortlist={list}")).await.1["total"], 1);
    let (_, record) = b.get(&format!("/creators/{ben_id}")).await;
    assert!(record.contains("Picks"), "the record page shows its lists");
    let (s, loc) = b
        .submit(
            "/shortlists/members",
            &[("list", &list), ("action", "add_all"), ("all_query", "q=cleo"), ("back", "//evil.example")],
        )
        .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/creators"), "off-site return addresses are ignored");
    assert_eq!(api.get(&format!("/creators?shortlist={list}")).await.1["total"], 2);
    // A member marked do-not-contact is hidden when the list is opened; the count says so.
    let (s, _) = api.patch(&format!("/creators/{ben_id}"), serde_json::json!({"do_not_contact": true})).await;
    assert!(s.is_success());
    assert_eq!(api.get(&format!("/creators?shortlist={list}")).await.1["total"], 1);
    let (_, lists) = b.get("/shortlists").await;
    assert!(lists.contains("2 creators (1 do-not-contact, hidden when opened)"), "{lists}");
}

/// The list page's filter form is a plain GET form: whatever the page shows as applied must be
/// in it, or pressing Apply (to change the sort, say) drops it — the list, a sort reached from a
/// column header, "do-not-contact only", an `updated_since` or a page size from a shared link.
/// Words typed while in a list search that list.
async fn applying_the_filter_form_keeps_the_list_the_sort_and_what_it_has_no_field_for(app: TestApp) {
    let (api, person) = app.api_in_new_workspace("Acme").await;
    let ana = api.creator(json!({"display_name": "Ana Berg"})).await;
    let ben = api.creator(json!({"display_name": "Ben Ode"})).await;
    api.creator(json!({"display_name": "Ana Other"})).await;
    let (_, list) = api.post("/shortlists", json!({"name": "Spring"})).await;
    let id = list["id"].as_str().unwrap();
    let (s, _) = api.post(&format!("/shortlists/{id}/members"), json!({"creator_ids": [ana["id"], ben["id"]]})).await;
    assert_eq!(s, StatusCode::OK);

    let b = app.signed_in(&person).await;
    let (s, page) =
        b.get(&format!("/creators?shortlist={id}&sort=followers&dnc=only&updated_since=2000-01-01&limit=10")).await;
    assert_eq!(s, StatusCode::OK);
    let form = &page[page.find("class=\"filter-bar\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    for kept in [
        format!("<input type=\"hidden\" name=\"shortlist\" value=\"{id}\">"),
        "<input type=\"hidden\" name=\"updated_since\" value=\"2000-01-01\">".to_string(),
        "<input type=\"hidden\" name=\"limit\" value=\"10\">".to_string(),
        "<option value=\"followers\" selected>Smallest following</option>".to_string(),
        "<option value=\"only\" selected>Only them</option>".to_string(),
    ] {
        assert!(form.contains(&kept), "{kept} in {form}");
    }

    let (s, v) = api.get(&format!("/creators?shortlist={id}&q=ana")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(names(&v), ["Ana Berg"], "words search within the list");
    let (s, page) = b.get(&format!("/creators?shortlist={id}&q=ana")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Ana Berg") && !page.contains("Ana Other") && !page.contains("alert-error"), "{page}");
}

/// Filters the page cannot use list nothing and say why; saving them as a search would store
/// a search that fails every time it is opened, so the page does not offer it.
async fn filters_in_error_offer_no_saved_search(app: TestApp) {
    let (_, person) = app.api_in_new_workspace("Acme").await;
    let b = app.signed_in(&person).await;
    let (_, page) = b.get("/creators?niche=food").await;
    assert!(page.contains("class=\"save-search\""), "a usable search can be saved");
    let (s, page) = b.get("/creators?niche=food&min_followers=lots").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("alert-error") && !page.contains("class=\"save-search\""), "{page}");
    assert!(page.contains("<li>Followers from: “lots” must be a whole number"), "named as the form names it: {page}");
}

/// "Add to list" with no list chosen is refused; the next page says so as a warning that
/// stays, not with the success toast's tick.
async fn a_refused_bulk_action_says_so_as_a_warning(app: TestApp) {
    let (_, person) = app.api_in_new_workspace("Acme").await;
    let b = app.signed_in(&person).await;
    let (s, loc) = b.submit("/shortlists/members", &[("list", ""), ("action", "add"), ("back", "/creators")]).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/creators"));
    let (_, page) = b.get("/creators").await;
    assert!(
        page.contains("<div class=\"toast toast-problem\" role=\"alert\"><span aria-hidden=\"true\">⚠</span> Choose a list first.</div>"),
        "{page}"
    );
    let (_, page) = b.get("/creators").await;
    assert!(!page.contains("Choose a list first"), "shown once");
}

/// Within a hand-picked list, search words (bios too), discovery filters, facets and the
/// engagement and fit sorts work as on the whole workspace, among the list's members only;
/// another workspace's list finds no one.
async fn a_hand_picked_list_is_searched_and_filtered_among_its_members(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = api
        .creator(json!({"display_name": "Ana", "country": "DE", "niches": ["food"], "bio": "Sourdough weekly"}))
        .await;
    let ben = api
        .creator(json!({"display_name": "Ben", "country": "FR", "niches": ["travel"], "bio": "Sourdough trips"}))
        .await;
    api.creator(json!({"display_name": "Cleo", "country": "DE", "niches": ["food"], "bio": "Sourdough too"})).await;
    let (_, list) = api.post("/shortlists", json!({"name": "Spring"})).await;
    let id = list["id"].as_str().unwrap();
    let (s, _) = api.post(&format!("/shortlists/{id}/members"), json!({"creator_ids": [ana["id"], ben["id"]]})).await;
    assert_eq!(s, StatusCode::OK);
    for (filters, want) in [
        ("q=sourdough", vec!["Ana", "Ben"]),
        ("niche=food", vec!["Ana"]),
        ("country=DE,FR&sort=-fit", vec!["Ana", "Ben"]),
        ("language=xx", vec![]),
    ] {
        let (s, v) = api.get(&format!("/creators?shortlist={id}&{filters}")).await;
        assert_eq!(s, StatusCode::OK, "{filters}: {v}");
        assert_eq!(names(&v), want, "{filters}");
    }
    let (_, v) = api.get(&format!("/creators?shortlist={id}&facets=country")).await;
    assert_eq!(v["facets"]["countries"], json!([{"value": "DE", "count": 1}, {"value": "FR", "count": 1}]), "{v}");

    // Another workspace's list is no list there (as an unknown id is); a saved search has no
    // members and says how to list its creators.
    let (other, _) = app.api_in_new_workspace("Other").await;
    for list in [id.to_string(), "sl_00000000000000000000000000000000".into()] {
        let (s, v) = other.get(&format!("/creators?shortlist={list}&niche=food")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["fields"][0], json!({"field": "shortlist", "message": "is not a list of this workspace"}));
    }
    let (_, saved) =
        api.post("/shortlists", json!({"name": "Germans", "kind": "saved_search", "query": "country=DE"})).await;
    let (s, v) = api.get(&format!("/creators?shortlist={}", saved["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("is a saved search, not a hand-picked list"), "{v}");
    for (body, message) in [
        (json!({"name": "x", "query": "country=DE"}), "only a saved search has a query"),
        (json!({"name": "x", "kind": "saved_search"}), "a saved search needs filters or search words"),
        (json!({"name": "x", "kind": "saved_search", "query": "q=a\r\nX: y"}), "must be one line"),
    ] {
        let (s, v) = api.post("/shortlists", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["fields"][0]["message"].as_str().unwrap().starts_with(message), "{v}");
    }
}
