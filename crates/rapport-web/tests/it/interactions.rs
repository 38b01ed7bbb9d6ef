//! Interactions with creators, through the API and the creator page: logging each channel
//! and direction, refusing bad input by field (an unknown channel, a time in the future),
//! the timeline, responsiveness figures from a known conversation, merges carrying
//! interactions, viewers, read keys, CSRF and tenant isolation.

use crate::harness::{Api, Browser, TestApp, csrf_in};
use rapport_app::interactions::{NewInteraction, Recorded, record_in_tx};
use rapport_app::{AppError, Ctx};
use rapport_core::actor::Actor;
use rapport_core::ids::CreatorId;
use rapport_core::interactions::{Channel, Direction};
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

crate::db_tests!(
    each_channel_and_direction_is_logged_and_listed_newest_first,
    a_bad_interaction_is_refused_naming_each_field,
    a_time_in_the_future_is_refused,
    logging_for_a_missing_or_foreign_creator_answers_404,
    an_interaction_of_another_workspace_cannot_be_deleted_or_listed,
    a_read_key_cannot_log_or_delete_interactions,
    logging_and_deleting_are_on_the_creators_timeline,
    interactions_are_paged_with_a_cursor,
    responsiveness_comes_from_a_known_conversation,
    responsiveness_without_interactions_has_no_figures,
    the_cadence_is_set_through_the_creator_api_and_sets_the_next_touch,
    a_merge_moves_interactions_and_tasks_and_undo_moves_them_back,
    the_openapi_document_describes_interactions_and_activity,
    an_email_recorded_inside_another_transaction_is_recorded_once_per_message_id,
    the_creator_page_logs_an_interaction_into_its_timeline,
    a_bad_interaction_form_is_shown_again_with_inline_errors_and_what_was_typed,
    the_interaction_forms_need_the_csrf_token,
    viewers_see_the_timeline_but_cannot_log_or_delete,
    interaction_pages_answer_404_for_another_workspace,
    the_creator_page_sets_the_cadence_and_shows_responsiveness,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn fields(v: &Value) -> Vec<&str> {
    v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect()
}

/// RFC 3339 for `now - ago`.
pub fn ago(ago: Duration) -> String {
    (OffsetDateTime::now_utc() - ago).replace_nanosecond(0).unwrap().format(&Rfc3339).unwrap()
}

pub async fn log(api: &Api, creator: &str, body: Value) -> Value {
    let (s, v) = api.post(&format!("/creators/{creator}/interactions"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn creator(api: &Api, name: &str) -> String {
    id(&api.creator(json!({ "display_name": name })).await)
}

async fn each_channel_and_direction_is_logged_and_listed_newest_first(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let cases = [
        ("email", "outbound", json!({"subject": "Collab?", "body": "Hi Ana"})),
        ("dm", "inbound", json!({"platform": "instagram", "body": "Sounds fun"})),
        ("call", "outbound", json!({"participants": "Ana, Tom (manager)"})),
        ("meeting", "inbound", json!({"subject": "Coffee in Lisbon"})),
        ("other", "outbound", json!({"body": "Sent a postcard"})),
    ];
    for (i, (channel, direction, extra)) in cases.iter().enumerate() {
        let mut body = json!({"channel": channel, "direction": direction,
            "occurred_at": ago(Duration::hours(10 - i as i64))});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let v = log(&api, &ana, body).await;
        assert_eq!((v["channel"].as_str(), v["direction"].as_str()), (Some(*channel), Some(*direction)));
        assert!(id(&v).starts_with("ix_"));
    }
    let (s, page) = api.get(&format!("/creators/{ana}/interactions")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let channels: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|i| i["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, ["other", "meeting", "call", "dm", "email"]);
    let dm = &page["items"][3];
    assert_eq!((dm["platform"].as_str(), dm["body"].as_str()), (Some("instagram"), Some("Sounds fun")));
    assert_eq!(page["items"][2]["participants"], "Ana, Tom (manager)");
    assert_eq!(page["next_cursor"], Value::Null);
    // With no time given, it happened now.
    let v = log(&api, &ana, json!({"channel": "call", "direction": "inbound"})).await;
    let at = OffsetDateTime::parse(v["occurred_at"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!((OffsetDateTime::now_utc() - at).abs() < Duration::minutes(1));
}

async fn a_bad_interaction_is_refused_naming_each_field(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let path = format!("/creators/{ana}/interactions");
    let (s, v) = api.post(&path, json!({"channel": "fax", "direction": "sideways", "platform": "myspace"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["channel", "direction", "platform"]);
    let (s, v) = api.post(&path, json!({})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["channel", "direction"]));
    let (s, v) =
        api.post(&path, json!({"channel": "call", "direction": "inbound", "occurred_at": "last tuesday"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["occurred_at"]));
    let long = "x".repeat(501);
    let (s, v) = api.post(&path, json!({"channel": "call", "direction": "inbound", "subject": long})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["subject"]));
    let (s, v) = api.post(&path, json!({"channel": "call", "direction": "inbound", "mood": "great"})).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["mood"]));
    assert_eq!(api.get(&path).await.1["items"], json!([]));
}

async fn a_time_in_the_future_is_refused(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let tomorrow = ago(-Duration::days(1));
    let (s, v) = api
        .post(
            &format!("/creators/{ana}/interactions"),
            json!({"channel": "email", "direction": "outbound", "occurred_at": tomorrow}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["occurred_at"]);
    assert_eq!(v["fields"][0]["message"], "must not be in the future");
}

async fn logging_for_a_missing_or_foreign_creator_answers_404(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (other, _) = app.api_in_new_workspace("Beta").await;
    let theirs = creator(&other, "Bea Costa").await;
    let body = json!({"channel": "call", "direction": "inbound"});
    let missing = rapport_core::ids::CreatorId::new().to_string();
    for c in [missing.as_str(), theirs.as_str(), "cr_nonsense"] {
        let (s, _) = api.post(&format!("/creators/{c}/interactions"), body.clone()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{c}");
        let (s, _) = api.get(&format!("/creators/{c}/interactions")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{c}");
        let (s, _) = api.get(&format!("/creators/{c}/responsiveness")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{c}");
    }
    assert_eq!(other.get(&format!("/creators/{theirs}/interactions")).await.1["items"], json!([]));
}

async fn an_interaction_of_another_workspace_cannot_be_deleted_or_listed(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let (other, _) = app.api_in_new_workspace("Beta").await;
    let bea = creator(&other, "Bea Costa").await;
    let theirs = id(&log(&other, &bea, json!({"channel": "email", "direction": "inbound"})).await);
    let (s, _) = api.delete(&format!("/interactions/{theirs}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let ana = creator(&api, "Ana Lima").await;
    let (s, v) = api.get(&format!("/creators/{ana}/interactions?cursor={theirs}")).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["cursor"]));
    assert_eq!(other.get(&format!("/creators/{bea}/interactions")).await.1["items"].as_array().unwrap().len(), 1);
    let (s, _) = other.delete(&format!("/interactions/{theirs}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = other.delete(&format!("/interactions/{theirs}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn a_read_key_cannot_log_or_delete_interactions(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let ix = id(&log(&api, &ana, json!({"channel": "dm", "direction": "inbound"})).await);
    let reader = app.api(&app.key(p.workspace, "read").await);
    let (s, _) =
        reader.post(&format!("/creators/{ana}/interactions"), json!({"channel": "dm", "direction": "inbound"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = reader.delete(&format!("/interactions/{ix}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = reader.get(&format!("/creators/{ana}/interactions")).await;
    assert_eq!((s, v["items"].as_array().unwrap().len()), (StatusCode::OK, 1));
}

async fn logging_and_deleting_are_on_the_creators_timeline(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let ix = log(&api, &ana, json!({"channel": "meeting", "direction": "outbound", "subject": "Kick-off"})).await;
    let (_, t) = api.get(&format!("/creators/{ana}/timeline")).await;
    assert_eq!(t["items"][0]["action"], "interaction.logged");
    let after = &t["items"][0]["changes"][0]["after"];
    assert_eq!(
        (after["id"].clone(), after["channel"].clone(), after["subject"].clone()),
        (ix["id"].clone(), json!("meeting"), json!("Kick-off"))
    );
    api.delete(&format!("/interactions/{}", id(&ix))).await;
    let (_, t) = api.get(&format!("/creators/{ana}/timeline")).await;
    assert_eq!(t["items"][0]["action"], "interaction.deleted");
}

async fn interactions_are_paged_with_a_cursor(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    for h in 1..=5 {
        log(
            &api,
            &ana,
            json!({"channel": "call", "direction": "outbound", "subject": format!("call {h}"),
            "occurred_at": ago(Duration::hours(h))}),
        )
        .await;
    }
    let mut seen = vec![];
    let mut path = format!("/creators/{ana}/interactions?limit=2");
    loop {
        let (s, page) = api.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        seen.extend(page["items"].as_array().unwrap().iter().map(|i| i["subject"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/creators/{ana}/interactions?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["call 1", "call 2", "call 3", "call 4", "call 5"]);
    let (s, v) = api.get(&format!("/creators/{ana}/interactions?limit=0")).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["limit"]));
}

async fn responsiveness_comes_from_a_known_conversation(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    // We write and follow up; she answers 30 h after our first message; we answer in 2 h;
    // she answers in 10 h, writes again, and we answer 12 h after the first of her two.
    let t0 = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - Duration::hours(100);
    let at = |h: i64| (t0 + Duration::hours(h)).format(&Rfc3339).unwrap();
    for (dir, h) in [
        ("outbound", 0),
        ("outbound", 24),
        ("inbound", 30),
        ("outbound", 32),
        ("inbound", 42),
        ("inbound", 50),
        ("outbound", 54),
    ] {
        log(&api, &ana, json!({"channel": "email", "direction": dir, "occurred_at": at(h)})).await;
    }
    let (s, r) = api.get(&format!("/creators/{ana}/responsiveness")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["creator_replies"], 2);
    assert_eq!(r["creator_median_reply_minutes"], 20 * 60, "median of 30 h and 10 h");
    assert_eq!(r["creator_median_reply"], "20 h");
    assert_eq!(r["our_replies"], 2);
    assert_eq!(r["our_median_reply_minutes"], 7 * 60, "median of 2 h and 12 h");
    assert_eq!(r["our_median_reply"], "7 h");
    assert_eq!(r["last_contact_at"].as_str().unwrap(), at(54));
}

async fn responsiveness_without_interactions_has_no_figures(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let (_, r) = api.get(&format!("/creators/{ana}/responsiveness")).await;
    assert_eq!(
        (r["last_contact_at"].clone(), r["creator_median_reply"].clone(), r["our_median_reply_minutes"].clone()),
        (Value::Null, json!("—"), Value::Null)
    );
    assert_eq!((r["next_touch_due"].clone(), r["touch_overdue"].clone()), (Value::Null, json!(false)));
}

async fn the_cadence_is_set_through_the_creator_api_and_sets_the_next_touch(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let (s, c) = api.patch(&format!("/creators/{ana}"), json!({"touch_every_days": 14})).await;
    assert_eq!((s, c["touch_every_days"].clone()), (StatusCode::OK, json!(14)), "{c}");
    let today = OffsetDateTime::now_utc().date();
    let (_, r) = api.get(&format!("/creators/{ana}/responsiveness")).await;
    assert_eq!(r["next_touch_due"], (today + Duration::days(14)).to_string(), "14 days after creation");
    log(&api, &ana, json!({"channel": "call", "direction": "outbound", "occurred_at": ago(Duration::days(20))})).await;
    let (_, r) = api.get(&format!("/creators/{ana}/responsiveness")).await;
    assert_eq!(r["next_touch_due"], (today - Duration::days(6)).to_string());
    assert_eq!(r["touch_overdue"], true);
    for bad in [json!(0), json!(5000), json!("often")] {
        let (s, v) = api.patch(&format!("/creators/{ana}"), json!({"touch_every_days": bad})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["touch_every_days"]), "{bad}");
    }
    let (s, c) = api.patch(&format!("/creators/{ana}"), json!({"touch_every_days": null})).await;
    assert_eq!((s, c["touch_every_days"].clone()), (StatusCode::OK, Value::Null));
    let (_, t) = api.get(&format!("/creators/{ana}/timeline")).await;
    assert!(
        t["items"].as_array().unwrap().iter().any(|e| e["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "touch_every_days"))
    );
}

async fn a_merge_moves_interactions_and_tasks_and_undo_moves_them_back(app: TestApp) {
    let (api, _) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let dup = creator(&api, "Ana L.").await;
    let (_, dup_c) = api.patch(&format!("/creators/{dup}"), json!({"touch_every_days": 30})).await;
    assert_eq!(dup_c["touch_every_days"], 30);
    let mine = id(&log(&api, &ana, json!({"channel": "email", "direction": "outbound"})).await);
    let theirs = id(&log(&api, &dup, json!({"channel": "dm", "direction": "inbound", "platform": "tiktok"})).await);
    let (s, task) = api.post(&format!("/creators/{dup}/tasks"), json!({"title": "Send samples"})).await;
    assert_eq!(s, StatusCode::CREATED, "{task}");
    let (s, m) = api.post(&format!("/creators/{ana}/merge"), json!({"loser_id": dup})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!((m["moved"]["interactions"].clone(), m["moved"]["tasks"].clone()), (json!(1), json!(1)));
    let ids = |v: &Value| -> Vec<String> { v["items"].as_array().unwrap().iter().map(id).collect() };
    let (_, page) = api.get(&format!("/creators/{ana}/interactions")).await;
    let mut got = ids(&page);
    got.sort();
    let mut want = vec![mine.clone(), theirs.clone()];
    want.sort();
    assert_eq!(got, want);
    let (_, tasks) = api.get(&format!("/creators/{ana}/tasks")).await;
    assert_eq!(tasks[0]["id"], task["id"]);
    let (_, survivor) = api.get(&format!("/creators/{ana}")).await;
    assert_eq!(survivor["touch_every_days"], 30, "the survivor takes the loser's cadence when it had none");
    let (s, u) = api.post(&format!("/merges/{}/undo", m["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(ids(&api.get(&format!("/creators/{ana}/interactions")).await.1), [mine]);
    assert_eq!(ids(&api.get(&format!("/creators/{dup}/interactions")).await.1), [theirs]);
    let (_, tasks) = api.get(&format!("/creators/{dup}/tasks")).await;
    assert_eq!(tasks[0]["id"], task["id"]);
    let (_, back) = api.get(&format!("/creators/{dup}")).await;
    assert_eq!(back["touch_every_days"], 30);
    assert_eq!(api.get(&format!("/creators/{ana}")).await.1["touch_every_days"], Value::Null);
}

async fn the_openapi_document_describes_interactions_and_activity(app: TestApp) {
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    for path in
        ["/creators/{id}/interactions", "/interactions/{interaction}", "/creators/{id}/responsiveness", "/activity"]
    {
        assert!(doc["paths"][path].is_object(), "{path} is missing");
    }
    assert!(doc["components"]["schemas"]["InteractionInput"]["properties"]["occurred_at"].is_object());
}

/// An owner's API client and signed-in browser, and a creator.
async fn owner_with_creator(app: &TestApp) -> (Api, Browser, String) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    (api, app.signed_in(&p).await, ana)
}

async fn the_creator_page_logs_an_interaction_into_its_timeline(app: TestApp) {
    let (api, b, ana) = owner_with_creator(&app).await;
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(page.contains("Log an email, DM, call or meeting") && page.contains("type=\"datetime-local\""));
    let when = (OffsetDateTime::now_utc() - Duration::days(2))
        .format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]"))
        .unwrap();
    let (s, loc) = b
        .submit(
            &format!("/creators/{ana}/interactions"),
            &[
                ("channel", "dm"),
                ("direction", "inbound"),
                ("platform", "tiktok"),
                ("occurred_at", &when),
                ("subject", "Re: summer"),
                ("body", "Count me in for July"),
            ],
        )
        .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, format!("/creators/{ana}#timeline").as_str()));
    let (_, list) = api.get(&format!("/creators/{ana}/interactions")).await;
    let ix = &list["items"][0];
    assert_eq!((ix["channel"].as_str(), ix["platform"].as_str()), (Some("dm"), Some("tiktok")));
    assert!(ix["occurred_at"].as_str().unwrap().starts_with(&when[..16]), "{ix}");
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    let timeline = &page[page.find("id=\"timeline\"").unwrap()..];
    assert!(
        timeline.contains("Direct message on TikTok from the creator") && timeline.contains("Count me in for July")
    );
    // In time order with the record's events: logged two days ago, it comes after creating the creator today.
    assert!(timeline.find("Count me in for July").unwrap() > timeline.find("created this creator").unwrap());
    let (s, loc) = b.submit(&format!("/interactions/{}/delete", id(ix)), &[]).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, format!("/creators/{ana}#timeline").as_str()));
    assert_eq!(api.get(&format!("/creators/{ana}/interactions")).await.1["items"], json!([]));
}

async fn a_bad_interaction_form_is_shown_again_with_inline_errors_and_what_was_typed(app: TestApp) {
    let (api, b, ana) = owner_with_creator(&app).await;
    let (s, page) = b
        .submit(
            &format!("/creators/{ana}/interactions"),
            &[
                ("channel", "call"),
                ("direction", "outbound"),
                ("occurred_at", "2999-01-01T10:00"),
                ("subject", "Pricing talk"),
                ("body", "They asked for 2k"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("must not be in the future"), "the error is inline");
    assert!(
        page.contains("value=\"2999-01-01T10:00\"")
            && page.contains("Pricing talk")
            && page.contains("They asked for 2k")
    );
    assert!(page.contains("<option value=\"call\" selected>"), "the chosen channel stays chosen");
    assert_eq!(api.get(&format!("/creators/{ana}/interactions")).await.1["items"], json!([]));
}

async fn the_interaction_forms_need_the_csrf_token(app: TestApp) {
    let (api, b, ana) = owner_with_creator(&app).await;
    let ix = id(&log(&api, &ana, json!({"channel": "call", "direction": "outbound"})).await);
    let form = [("channel", "call"), ("direction", "outbound")];
    assert_eq!(b.post(&format!("/creators/{ana}/interactions"), &form).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/interactions/{ix}/delete"), &[("_csrf", "forged")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        b.post(&format!("/creators/{ana}/cadence"), &[("touch_every_days", "7")]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(api.get(&format!("/creators/{ana}/interactions")).await.1["items"].as_array().unwrap().len(), 1);
    assert_eq!(api.get(&format!("/creators/{ana}")).await.1["touch_every_days"], Value::Null);
}

async fn viewers_see_the_timeline_but_cannot_log_or_delete(app: TestApp) {
    let (api, _, ana) = owner_with_creator(&app).await;
    let ix =
        id(&log(&api, &ana, json!({"channel": "meeting", "direction": "inbound", "subject": "Studio visit"})).await);
    let viewer = app.person_in("Acme", "viewer@example.com", Role::Viewer).await;
    let b = app.signed_in(&viewer).await;
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    assert!(
        page.contains("Studio visit")
            && !page.contains("Log an email")
            && !page.contains(&format!("/interactions/{ix}/delete"))
    );
    let csrf = csrf_in(&page);
    let (s, _) = b
        .post(
            &format!("/creators/{ana}/interactions"),
            &[("_csrf", &csrf), ("channel", "call"), ("direction", "inbound")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(b.post(&format!("/interactions/{ix}/delete"), &[("_csrf", &csrf)]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        b.post(&format!("/creators/{ana}/cadence"), &[("_csrf", &csrf), ("touch_every_days", "7")]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(api.get(&format!("/creators/{ana}/interactions")).await.1["items"].as_array().unwrap().len(), 1);
}

async fn interaction_pages_answer_404_for_another_workspace(app: TestApp) {
    let (api, _, ana) = owner_with_creator(&app).await;
    let ix = id(&log(&api, &ana, json!({"channel": "call", "direction": "outbound"})).await);
    let stranger = app.workspace("Beta", Role::Owner).await;
    let b = app.signed_in(&stranger).await;
    let form = [("channel", "call"), ("direction", "outbound")];
    assert_eq!(b.submit(&format!("/creators/{ana}/interactions"), &form).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.submit(&format!("/interactions/{ix}/delete"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        b.submit(&format!("/creators/{ana}/cadence"), &[("touch_every_days", "7")]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(api.get(&format!("/creators/{ana}/interactions")).await.1["items"].as_array().unwrap().len(), 1);
}

async fn the_creator_page_sets_the_cadence_and_shows_responsiveness(app: TestApp) {
    let (api, b, ana) = owner_with_creator(&app).await;
    log(&api, &ana, json!({"channel": "email", "direction": "outbound", "occurred_at": ago(Duration::hours(10))}))
        .await;
    log(&api, &ana, json!({"channel": "email", "direction": "inbound", "occurred_at": ago(Duration::hours(7))})).await;
    let (s, page) = b.submit(&format!("/creators/{ana}/cadence"), &[("touch_every_days", "every week")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Cadence must be a whole number of days from 1 to 3650") && page.contains("value=\"every week\"")
    );
    let (s, loc) = b.submit(&format!("/creators/{ana}/cadence"), &[("touch_every_days", "21")]).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, format!("/creators/{ana}#touch").as_str()));
    assert_eq!(api.get(&format!("/creators/{ana}")).await.1["touch_every_days"], 21);
    let (_, page) = b.get(&format!("/creators/{ana}")).await;
    let card = &page[page.find("id=\"touch\"").unwrap()..];
    assert!(card.contains("They reply in</dt><dd>3 h"), "{}", &card[..800]);
    assert!(card.contains("We reply in</dt><dd>—"));
    let due = (OffsetDateTime::now_utc() - Duration::hours(7)).date() + Duration::days(21);
    assert!(card.contains(&due.to_string()));
    // Editing the profile keeps the cadence.
    let (s, _) = b.submit(&format!("/creators/{ana}"), &[("display_name", "Ana Lima Souza")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(api.get(&format!("/creators/{ana}")).await.1["touch_every_days"], 21);
    let (s, _) = b.submit(&format!("/creators/{ana}/cadence"), &[("touch_every_days", "")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(api.get(&format!("/creators/{ana}")).await.1["touch_every_days"], Value::Null);
}

async fn an_email_recorded_inside_another_transaction_is_recorded_once_per_message_id(app: TestApp) {
    let (api, p) = app.api_in_new_workspace("Acme").await;
    let ana = creator(&api, "Ana Lima").await;
    let ctx = Ctx::system(p.workspace, Actor::System, "Rapport");
    let mut email = NewInteraction::new(
        ana.parse::<CreatorId>().unwrap(),
        Channel::Email,
        Direction::Outbound,
        "Hi Ana, would you like to work with us?",
        OffsetDateTime::now_utc() - Duration::hours(1),
    );
    email.subject = Some("Collab?".into());
    email.message_id = Some("<m1@acme.example>".into());
    email.thread_id = Some("<m1@acme.example>".into());
    let mut ids = vec![];
    for want_new in [true, false] {
        let mut tx = app.app.db.begin().await.unwrap();
        let r = record_in_tx(&mut tx.conn(), &ctx, email.clone()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(matches!(r, Recorded::New(_)), want_new);
        ids.push(r.view().id);
    }
    assert_eq!(ids[0], ids[1], "the same message id is the same interaction");
    // A reply in the same thread, in a transaction that is rolled back, leaves nothing.
    let mut reply = email.clone();
    reply.direction = Direction::Inbound;
    reply.message_id = Some("<r1@ana.example>".into());
    reply.in_reply_to = Some("<m1@acme.example>".into());
    reply.references_ids = Some("<m1@acme.example>".into());
    let mut tx = app.app.db.begin().await.unwrap();
    record_in_tx(&mut tx.conn(), &ctx, reply.clone()).await.unwrap();
    drop(tx);
    let (_, page) = api.get(&format!("/creators/{ana}/interactions")).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["message_id"].as_str(), items[0]["thread_id"].as_str()),
        (Some("<m1@acme.example>"), Some("<m1@acme.example>"))
    );
    let mut tx = app.app.db.begin().await.unwrap();
    record_in_tx(&mut tx.conn(), &ctx, reply).await.unwrap();
    tx.commit().await.unwrap();
    let (_, page) = api.get(&format!("/creators/{ana}/interactions")).await;
    assert_eq!(page["items"][0]["in_reply_to"], "<m1@acme.example>");
    let (_, r) = api.get(&format!("/creators/{ana}/responsiveness")).await;
    assert_eq!(r["creator_replies"], 1);
    // Another workspace's context does not find the creator.
    let other = app.workspace("Beta", Role::Owner).await;
    let theirs = Ctx::system(other.workspace, Actor::System, "Rapport");
    let mut tx = app.app.db.begin().await.unwrap();
    let err = record_in_tx(&mut tx.conn(), &theirs, email).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound), "{err:?}");
}
