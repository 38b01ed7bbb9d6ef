//! The storage story, run on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL: the same
//! calls give the same answers, values survive the round trip exactly, and a schema newer
//! than the binary is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rapport_core::creators::{self, AccountInput, ContactInput, CreatorInput};
use rapport_store::creators::{ListQuery, SortKey};
use rapport_store::{Db, DbConfig, StoreError, accounts, args, imports, migrate, stage_changes, workspaces};
use time::OffsetDateTime;
use uuid::Uuid;

async fn databases() -> Vec<(Db, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&DbConfig::SqliteFile(dir.path().join("story.db"))).await.unwrap();
    let mut dbs = vec![(sqlite, Some(dir))];
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let url = rapport_store::scratch::create_postgres_database(&admin, "rapport_story").await.unwrap();
            dbs.push((Db::connect(&DbConfig::Postgres(url)).await.unwrap(), None));
        }
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("CI=true but TEST_DATABASE_URL is not set")
        }
        _ => eprintln!("PostgreSQL part skipped: TEST_DATABASE_URL is not set"),
    }
    dbs
}

fn workspace(id: Uuid, created_at: OffsetDateTime) -> workspaces::WorkspaceRow {
    workspaces::WorkspaceRow {
        id,
        name: "Acme".into(),
        slug: format!("acme-{}", id.simple()),
        default_currency: "EUR".into(),
        timezone: "UTC".into(),
        created_at,
    }
}

/// A page reads each creator as one JSON text the database builds; every value must come back
/// as the row's own columns give it: ids, booleans, times to the microsecond, floats to the
/// last bit, quotes and emoji, absent values, and relations in their listings' order.
#[tokio::test]
async fn a_page_read_as_json_gives_back_every_value_exactly() {
    for (db, _dir) in databases().await {
        migrate::run(&db).await.unwrap();
        let ws = Uuid::now_v7();
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_764_000_000_123_456_000).unwrap();
        let mut tx = db.begin().await.unwrap();
        workspaces::insert(&mut tx.conn(), &workspace(ws, t)).await.unwrap();
        let full = creators::validate(&CreatorInput {
            display_name: Some("Lena \"Bakes\" \\ Ünal 🍰".into()),
            bio: Some("line one\nline two\t<b>&</b>".into()),
            country: Some("DE".into()),
            languages: Some(vec!["de".into(), "en".into()]),
            niches: Some(vec!["food".into()]),
            tags: Some(vec!["vip".into(), "baking".into()]),
            do_not_contact: Some(true),
            contact_points: Some(vec![
                ContactInput { kind: Some("phone".into()), value: Some("+49 30 1234567".into()), primary: false },
                ContactInput { kind: None, value: Some("l@example.com".into()), primary: true },
            ]),
            ..Default::default()
        })
        .unwrap();
        let bare =
            creators::validate(&CreatorInput { display_name: Some("Bare".into()), ..Default::default() }).unwrap();
        let (id, bare_id) = (Uuid::now_v7(), Uuid::now_v7());
        rapport_store::creators::insert(&mut tx.conn(), ws, id, &full, "system", t).await.unwrap();
        rapport_store::creators::insert(&mut tx.conn(), ws, bare_id, &bare, "system", t).await.unwrap();
        let entered = stage_changes::StageChangeRow {
            id: Uuid::now_v7(),
            creator_id: id,
            from_stage: None,
            to_stage: full.stage.clone(),
            actor: "system".into(),
            actor_label: "System".into(),
            reason: None,
            changed_at: t + time::Duration::microseconds(7),
        };
        stage_changes::insert(&mut tx.conn(), ws, &entered).await.unwrap();
        for (platform, handle, followers, engagement, quality) in [
            ("youtube", "@LenaBakes", None, Some(0.1 + 0.2), None),
            ("instagram", "lena.bakes", Some(4_000_000_000), Some(1.0 / 3.0), Some(99.999_999_999_999_99)),
        ] {
            let input = AccountInput {
                platform: Some(platform.into()),
                handle: Some(handle.into()),
                followers,
                engagement_rate_pct: engagement,
                audience_quality_pct: quality,
                observed_at: Some(t),
                ..Default::default()
            };
            let account = creators::validate_account(&input, "", t).unwrap();
            accounts::insert(&mut tx.conn(), ws, id, Uuid::now_v7(), &account, t).await.unwrap();
        }
        rapport_store::creators::refresh_derived(&mut tx.conn(), ws, id).await.unwrap();
        rapport_store::creators::set_deleted(&mut tx.conn(), ws, bare_id, Some(t), t).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = db.read().await.unwrap();
        let ids = [bare_id, id, Uuid::now_v7()];
        let mut page = rapport_store::creators::get_many_with_relations(&mut r.conn(), ws, &ids).await.unwrap();
        page.sort_by_key(|(row, _)| row.id);
        assert_eq!(page.len(), 2, "an unknown id is left out ({:?})", db.backend());
        for (row, relations) in &page {
            let alone = rapport_store::creators::get(&mut r.conn(), ws, row.id).await.unwrap().unwrap();
            assert_eq!(row, &alone, "{:?}", db.backend());
            let contacts = rapport_store::creators::contact_points(&mut r.conn(), &[row.id]).await.unwrap();
            assert_eq!(relations.contacts, contacts, "{:?}", db.backend());
            let tags = rapport_store::creators::tags(&mut r.conn(), &[row.id]).await.unwrap();
            assert_eq!(relations.tags, tags.into_iter().map(|t| t.1).collect::<Vec<_>>());
            for a in &relations.accounts {
                assert_eq!(
                    Some(a),
                    accounts::get(&mut r.conn(), ws, a.id).await.unwrap().as_ref(),
                    "{:?}",
                    db.backend()
                );
            }
        }
        let (_, full_relations) = page.iter().find(|(row, _)| row.id == id).unwrap();
        assert_eq!(full_relations.contacts[0].value, "l@example.com", "primary first");
        assert_eq!(full_relations.tags, ["baking", "vip"]);
        let handles: Vec<&str> = full_relations.accounts.iter().map(|a| a.handle.as_str()).collect();
        assert_eq!(handles, ["lena.bakes", "LenaBakes"], "largest following first, unknown last");
        assert_eq!(full_relations.accounts[1].engagement_rate_pct, Some(0.1 + 0.2));
        assert_eq!(page.iter().find(|(row, _)| row.id == id).unwrap().0.stage_entered_at, Some(entered.changed_at));
        let (bare_row, bare_relations) = page.iter().find(|(row, _)| row.id == bare_id).unwrap();
        assert_eq!(bare_row.deleted_at, Some(t));
        assert_eq!(bare_relations, &rapport_store::creators::Relations::default());
        let other =
            rapport_store::creators::get_many_with_relations(&mut r.conn(), Uuid::now_v7(), &ids).await.unwrap();
        assert!(other.is_empty(), "another workspace's creators are not read");
        let by_creator = rapport_store::creators::relations(&mut r.conn(), ws, &ids).await.unwrap();
        assert_eq!(by_creator.get(&id), Some(full_relations));
        assert_eq!(by_creator.len(), 2);
    }
}

#[tokio::test]
async fn both_engines_store_and_list_creators_alike() {
    for (db, _dir) in databases().await {
        migrate::run(&db).await.unwrap();
        migrate::run(&db).await.unwrap(); // idempotent
        let ws = Uuid::now_v7();
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_764_000_000_123_456_000).unwrap();
        let mut tx = db.begin().await.unwrap();
        workspaces::insert(&mut tx.conn(), &workspace(ws, t)).await.unwrap();
        let draft = creators::validate(&CreatorInput {
            display_name: Some("Lena Bakes".into()),
            tags: Some(vec!["vip".into()]),
            do_not_contact: Some(true),
            contact_points: Some(vec![ContactInput { kind: None, value: Some("l@example.com".into()), primary: true }]),
            ..Default::default()
        })
        .unwrap();
        let id = Uuid::now_v7();
        rapport_store::creators::insert(&mut tx.conn(), ws, id, &draft, "system", t).await.unwrap();
        let account = creators::validate_account(
            &AccountInput {
                platform: Some("youtube".into()),
                handle: Some("@LenaBakes".into()),
                followers: Some(4_000_000_000),
                engagement_rate_pct: Some(3.25),
                observed_at: Some(t),
                ..Default::default()
            },
            "",
            t,
        )
        .unwrap();
        accounts::insert(&mut tx.conn(), ws, id, Uuid::now_v7(), &account, t).await.unwrap();
        rapport_store::creators::refresh_derived(&mut tx.conn(), ws, id).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = db.read().await.unwrap();
        let row = rapport_store::creators::get(&mut r.conn(), ws, id).await.unwrap().unwrap();
        assert_eq!(row.created_at, t, "microsecond times survive ({:?})", db.backend());
        assert!(row.do_not_contact);
        assert_eq!(row.max_followers, 4_000_000_000, "64-bit counts survive");
        let accts =
            rapport_store::creators::relations(&mut r.conn(), ws, &[id]).await.unwrap().remove(&id).unwrap().accounts;
        assert_eq!(accts[0].engagement_rate_pct, Some(3.25));
        assert_eq!(accts[0].handle_normalized, "lenabakes");
        let q = ListQuery {
            q: Some("LENABAKES".into()),
            sort: Some((SortKey::Name, false)),
            include_do_not_contact: true,
            limit: 10,
            ..Default::default()
        };
        let without_dnc = ListQuery { include_do_not_contact: false, ..q.clone() };
        assert_eq!(
            rapport_store::creators::count(&mut r.conn(), ws, &without_dnc).await.unwrap(),
            0,
            "do-not-contact hidden"
        );
        assert_eq!(rapport_store::creators::list(&mut r.conn(), ws, &q).await.unwrap().len(), 1);
        assert_eq!(rapport_store::creators::count(&mut r.conn(), ws, &q).await.unwrap(), 1);
        let other_ws = ListQuery { limit: 10, ..Default::default() };
        assert_eq!(rapport_store::creators::count(&mut r.conn(), Uuid::now_v7(), &other_ws).await.unwrap(), 0);
        assert_eq!(rapport_store::creators::tag_counts(&mut r.conn(), ws).await.unwrap(), vec![("vip".to_string(), 1)]);
        drop(r);

        // The same email again breaks the unique key; the failed transaction leaves nothing.
        let mut tx = db.begin().await.unwrap();
        let err =
            rapport_store::creators::insert(&mut tx.conn(), ws, Uuid::now_v7(), &draft, "system", t).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        drop(tx);
        let all = ListQuery { limit: 10, include_do_not_contact: true, ..Default::default() };
        assert_eq!(rapport_store::creators::count(&mut db.read().await.unwrap().conn(), ws, &all).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused() {
    for (db, _dir) in databases().await {
        migrate::run(&db).await.unwrap();
        db.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, TRUE, $3, 0)",
            args![99_999_i64, "from the future", vec![0u8; 4]],
        )
        .await
        .unwrap();
        let err = migrate::run(&db).await.unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found: 99_999, .. }), "{err:?}");
        assert!(err.to_string().contains("newer than this binary"));
    }
}

#[tokio::test]
async fn the_stage_history_backfill_starts_every_creator_in_its_stage_when_it_was_created() {
    for (db, _dir) in databases().await {
        migrate::run_to(&db, 6).await.unwrap();
        let ws = Uuid::now_v7();
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_764_000_000_123_456_000).unwrap();
        let id = Uuid::now_v7();
        let mut tx = db.begin().await.unwrap();
        workspaces::insert(&mut tx.conn(), &workspace(ws, t)).await.unwrap();
        // A creator row as the schema of version 6 had it (later versions add columns).
        tx.conn()
            .execute(
                "INSERT INTO creators (id, workspace_id, display_name, sort_name, stage, created_by, created_at, \
                 updated_at) VALUES ($1, $2, 'Lena', 'lena', 'negotiating', 'user:someone', $3, $3)",
                args![id, ws, t],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();

        migrate::run(&db).await.unwrap();
        let history = stage_changes::for_creators(&mut db.read().await.unwrap().conn(), ws, &[id]).await.unwrap();
        assert_eq!(history.len(), 1, "{history:?}");
        let first = &history[0];
        assert_eq!((first.from_stage.as_deref(), first.to_stage.as_str()), (None, "negotiating"));
        assert_eq!((first.changed_at, first.actor.as_str()), (t, "system"));
    }
}

#[tokio::test]
async fn an_import_file_moves_out_of_its_job_row_with_the_migration() {
    for (db, _dir) in databases().await {
        migrate::run_to(&db, 21).await.unwrap();
        let (ws, job) = (Uuid::now_v7(), Uuid::now_v7());
        let t = OffsetDateTime::from_unix_timestamp(1_764_000_000).unwrap();
        let mut tx = db.begin().await.unwrap();
        workspaces::insert(&mut tx.conn(), &workspace(ws, t)).await.unwrap();
        // A job as the schema of version 21 had it: the file in the job row.
        tx.conn()
            .execute(
                "INSERT INTO import_jobs (id, workspace_id, file_name, mode, match_key, status, content, created_by, \
                 created_by_label, created_at, updated_at) \
                 VALUES ($1, $2, 'c.csv', 'upsert', 'email', 'completed', $3, 'user:someone', 'Someone', $4, $4)",
                args![job, ws, "Name,Email\nÉlodie,e@example.com\n", t],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();

        migrate::run(&db).await.unwrap();
        let mut r = db.read().await.unwrap();
        let content = imports::content(&mut r.conn(), ws, job).await.unwrap();
        assert_eq!(content, "Name,Email\nÉlodie,e@example.com\n");
        assert!(imports::content(&mut r.conn(), Uuid::now_v7(), job).await.is_err(), "another workspace reads nothing");
    }
}

/// An account whose following is unknown is never a creator's main one: the creators whose
/// summary took one (PostgreSQL, before 0023) are summarised again, and later writes agree.
#[tokio::test]
async fn an_account_without_a_following_leaves_the_main_engagement_with_the_migration() {
    for (db, _dir) in databases().await {
        migrate::run_to(&db, 22).await.unwrap();
        let (ws, id) = (Uuid::now_v7(), Uuid::now_v7());
        let t = OffsetDateTime::from_unix_timestamp(1_764_000_000).unwrap();
        let mut tx = db.begin().await.unwrap();
        workspaces::insert(&mut tx.conn(), &workspace(ws, t)).await.unwrap();
        tx.conn()
            .execute(
                "INSERT INTO creators (id, workspace_id, display_name, sort_name, stage, created_by, created_at, \
                 updated_at) VALUES ($1, $2, 'Lena', 'lena', 'discovered', 'user:someone', $3, $3)",
                args![id, ws, t],
            )
            .await
            .unwrap();
        for (platform, followers, engagement) in
            [("instagram", None, Some(9.5)), ("tiktok", Some(5_000_i64), Some(1.5))]
        {
            tx.conn()
                .execute(
                    "INSERT INTO social_accounts (id, workspace_id, creator_id, platform, handle, \
                     handle_normalized, followers, engagement_rate_pct, audience, source, observed_at, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $4, $4, $5, $6, '{}', 'manual', $7, $7, $7)",
                    args![Uuid::now_v7(), ws, id, platform, followers, engagement, t],
                )
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let main_engagement = || async {
            let rows: Vec<(Option<f64>,)> =
                db.fetch_all("SELECT main_engagement_pct FROM creators WHERE id = $1", args![id]).await.unwrap();
            rows[0].0
        };

        migrate::run(&db).await.unwrap();
        assert_eq!(main_engagement().await, Some(1.5), "{:?}", db.backend());
        db.execute("UPDATE social_accounts SET engagement_rate_pct = 2.5 WHERE platform = 'tiktok'", args![])
            .await
            .unwrap();
        assert_eq!(main_engagement().await, Some(2.5), "the trigger agrees ({:?})", db.backend());
    }
}

/// Creators stored before sort keys folded accents get theirs folded once, after the
/// migrations: "Élodie" sorts before "Zoe".
#[tokio::test]
async fn the_sort_names_backfill_folds_accents_once() {
    for (db, _dir) in databases().await {
        migrate::run_to(&db, 24).await.unwrap();
        let ws = Uuid::now_v7();
        let t = OffsetDateTime::from_unix_timestamp(1_764_000_000).unwrap();
        let mut tx = db.begin().await.unwrap();
        workspaces::insert(&mut tx.conn(), &workspace(ws, t)).await.unwrap();
        for (name, key) in [("Zoe", "zoe"), ("Élodie", "élodie"), ("Adam", "adam")] {
            tx.conn()
                .execute(
                    "INSERT INTO creators (id, workspace_id, display_name, sort_name, stage, created_by, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, 'discovered', 'user:someone', $5, $5)",
                    args![Uuid::now_v7(), ws, name, key, t],
                )
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        migrate::run(&db).await.unwrap();
        assert_eq!(rapport_store::backfills::run(&db, t).await.unwrap(), 1, "{:?}", db.backend());
        assert_eq!(rapport_store::backfills::run(&db, t).await.unwrap(), 0, "once");
        let q = ListQuery {
            sort: Some((SortKey::Name, false)),
            include_do_not_contact: true,
            limit: 10,
            ..Default::default()
        };
        let rows = rapport_store::creators::list(&mut db.read().await.unwrap().conn(), ws, &q).await.unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.display_name.as_str()).collect();
        assert_eq!(names, ["Adam", "Élodie", "Zoe"], "{:?}", db.backend());
    }
}

/// A broad listing (the caller knows most creators match) writes its country and follower
/// bounds so no index serves them, and walks the sort's index instead; the page is the same.
#[tokio::test]
async fn a_broad_listing_finds_the_same_pages_as_a_narrow_one() {
    const COUNTRIES: [&str; 3] = ["DE", "FR", "US"];
    for (db, _dir) in databases().await {
        migrate::run(&db).await.unwrap();
        let ws = Uuid::now_v7();
        let t = OffsetDateTime::from_unix_timestamp(1_764_000_000).unwrap();
        let mut tx = db.begin().await.unwrap();
        workspaces::insert(&mut tx.conn(), &workspace(ws, t)).await.unwrap();
        for k in 0..30i64 {
            let draft = creators::validate(&CreatorInput {
                display_name: Some(format!("Creator {k}")),
                country: (k % 7 != 3).then(|| COUNTRIES[(k % 3) as usize].to_string()),
                ..Default::default()
            })
            .unwrap();
            let id = Uuid::now_v7();
            // Updates a few seconds apart, some at the same instant.
            let at = t + time::Duration::seconds(k / 2);
            rapport_store::creators::insert(&mut tx.conn(), ws, id, &draft, "system", at).await.unwrap();
            let account = AccountInput {
                platform: Some("instagram".into()),
                handle: Some(format!("@c{k}")),
                followers: Some(1_000 * (k % 10)),
                ..Default::default()
            };
            let account = creators::validate_account(&account, "", at).unwrap();
            accounts::insert(&mut tx.conn(), ws, id, Uuid::now_v7(), &account, at).await.unwrap();
            rapport_store::creators::refresh_derived(&mut tx.conn(), ws, id).await.unwrap();
        }
        tx.commit().await.unwrap();

        let mut r = db.read().await.unwrap();
        let mut nonempty = 0;
        for (countries, min, max) in [
            (vec!["DE"], None, None),
            (vec!["DE", "US"], Some(3_000), None),
            (vec![], Some(2_000), Some(6_000)),
            (vec!["FR"], None, Some(4_000)),
            (vec!["GB"], None, None),
        ] {
            for sort in [SortKey::Updated, SortKey::Name, SortKey::Created] {
                for desc in [false, true] {
                    let narrow = ListQuery {
                        countries: countries.iter().map(|c| c.to_string()).collect(),
                        min_followers: min,
                        max_followers: max,
                        sort: Some((sort, desc)),
                        limit: 4,
                        ..Default::default()
                    };
                    let rows = rapport_store::creators::list(&mut r.conn(), ws, &narrow).await.unwrap();
                    // The first page, and the next one after its fourth row when there is one.
                    let mut pages = vec![narrow.clone()];
                    if let Some(last) = rows.get(3) {
                        pages.push(ListQuery { after: Some((sort.key_of(last), last.id)), ..narrow.clone() });
                    }
                    for page in pages {
                        let broad = ListQuery { broad: true, ..page.clone() };
                        let ids = |rows: Vec<rapport_store::creators::CreatorRow>| -> Vec<Uuid> {
                            rows.into_iter().map(|c| c.id).collect()
                        };
                        let want = ids(rapport_store::creators::list(&mut r.conn(), ws, &page).await.unwrap());
                        let got = ids(rapport_store::creators::list(&mut r.conn(), ws, &broad).await.unwrap());
                        assert_eq!(got, want, "{page:?} on {:?}", db.backend());
                        nonempty += usize::from(!want.is_empty());
                    }
                }
            }
        }
        assert!(nonempty >= 30, "most listings find creators ({nonempty})");
    }
}
