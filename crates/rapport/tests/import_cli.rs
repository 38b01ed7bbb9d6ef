//! `rapport import` as an operator uses it: a dry run that writes nothing, an import that
//! names its bad rows and prints the job id, a re-import that changes nothing, and an
//! undo that leaves the workspace as it was — on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rapport-web/tests/fixtures/creators_messy.csv")
}

/// Runs `rapport` on one database: the data directory, and a PostgreSQL URL if any.
struct Rapport {
    data: tempfile::TempDir,
    database_url: Option<String>,
}

impl Rapport {
    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
        c.env_remove("DATABASE_URL").env_remove("RAPPORT_PASSWORD").env("RUST_LOG", "warn");
        c.args(args).arg("--data-dir").arg(self.data.path());
        if let Some(url) = &self.database_url {
            c.arg("--database-url").arg(url);
        }
        if args.first() == Some(&"admin") {
            c.env("RAPPORT_PASSWORD", "a strong password");
        }
        let out = c.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args);
        assert!(ok, "{args:?} failed: {err}");
        out
    }

    fn export(&self) -> String {
        self.ok(&["export", "--workspace", "acme", "--format", "json"])
    }
}

fn scenario(r: &Rapport) {
    r.ok(&["admin", "create-user", "--email", "ops@example.com", "--name", "Ops", "--workspace", "Acme"]);
    let file = fixture();
    let file = file.to_str().unwrap();
    let empty = r.export();

    let out = r.ok(&["import", "creators", file, "--workspace", "acme", "--platform", "instagram", "--dry-run"]);
    assert!(out.contains("B  Username") && out.contains("→ Handle or username"), "{out}");
    assert!(out.contains("Dry run of 10 rows: 7 would be created, 0 updated, 0 unchanged, 3 failed"), "{out}");
    assert!(out.contains("row 6: followers: “lots” is not a number"), "{out}");
    assert_eq!(r.export(), empty, "a dry run writes nothing");

    let out = r.ok(&["import", "creators", file, "--workspace", "acme", "--platform", "instagram"]);
    assert!(out.contains("7 created, 0 updated, 0 unchanged, 3 failed (of 10 rows)"), "{out}");
    assert!(out.contains("row 5: email: elodie@example.fr already belongs to Élodie Martin"), "{out}");
    assert!(out.contains("row 10: platform: is not a known platform"), "{out}");
    let job = out.split_whitespace().find(|w| w.starts_with("imp_")).unwrap().trim_end_matches('.').to_string();
    let imported = r.export();
    assert_eq!(imported.matches("\"display_name\"").count(), 7);
    assert!(imported.contains("李华") && imported.contains("Ольга Иванова"));

    let out = r.ok(&[
        "import", "creators", file, "--workspace", "acme", "--platform", "instagram", "--mode", "upsert", "--match",
        "handle",
    ]);
    assert!(out.contains("0 created, 0 updated, 8 unchanged, 2 failed"), "{out}");
    assert_eq!(r.export(), imported, "importing the same file again changes nothing");

    let out = r.ok(&["import", "undo", "--workspace", "acme", &job]);
    assert!(out.contains("deleted 7 creators"), "{out}");
    assert_eq!(r.export(), empty, "undo leaves the workspace as it was");
    let (ok, _, err) = r.run(&["import", "undo", "--workspace", "acme", &job]);
    assert!(!ok && err.contains("already been undone"), "{err}");
    let (ok, _, err) = r.run(&["import", "resume", "--workspace", "acme", &job]);
    assert!(!ok && err.contains("has been undone; there is nothing to resume"), "{err}");
    let (ok, _, err) = r.run(&["import", "undo", "--workspace", "acme", "imp_nope"]);
    assert!(!ok && err.contains("is not a valid import job id"), "{err}");
    let (ok, _, err) = r.run(&["import", "creators", file, "--workspace", "acme", "--mode", "merge"]);
    assert!(!ok && err.contains("--mode must be create, update or upsert"), "{err}");
    let (ok, _, err) = r.run(&["import", "creators", "/no/such.csv", "--workspace", "acme"]);
    assert!(!ok && err.contains("cannot read /no/such.csv"), "{err}");
}

/// An import whose process stopped after three rows (as a killed `rapport import` leaves
/// it: running, three rows recorded) is continued by `rapport import resume`; running the
/// same file again is refused with that command instead of failing every imported row.
fn stopped_scenario(r: &Rapport) {
    r.ok(&["admin", "create-user", "--email", "beta@example.com", "--name", "Ops", "--workspace", "Beta"]);
    let config = rapport_store::DbConfig::choose(r.database_url.as_deref(), r.data.path()).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let job = runtime.block_on(async {
        let app = rapport_app::App::open(&config, rapport_app::AppConfig::default()).await.unwrap();
        let ctx = rapport_app::workspaces::operator_ctx(&app, "beta").await.unwrap();
        let settings = rapport_app::imports::JobSettings {
            default_platform: Some(rapport_core::platform::Platform::Instagram),
            ..Default::default()
        };
        let bytes = std::fs::read(fixture()).unwrap();
        let source = rapport_app::imports::Source::File;
        let job =
            rapport_app::imports::start(&app, &ctx, source, "creators_messy.csv", &bytes, settings).await.unwrap();
        rapport_app::imports::launch(&app, &ctx, job.id).await.unwrap();
        rapport_app::imports::process_rows(&app, &ctx, job.id, Some(3), |_, _| {}).await.unwrap();
        app.db.close().await;
        job.id.to_string()
    });
    let file = fixture();
    let file = file.to_str().unwrap();
    let (ok, _, err) = r.run(&["import", "creators", file, "--workspace", "beta", "--platform", "instagram"]);
    let hint = format!("stopped after 3 of 10 rows; continue it with: rapport import resume --workspace beta {job}");
    assert!(!ok && err.contains(&hint), "{err}");
    let out = r.ok(&["import", "resume", "--workspace", "beta", &job]);
    assert!(out.contains("7 created, 0 updated, 0 unchanged, 3 failed (of 10 rows)"), "{out}");
    let all = r.ok(&["export", "--workspace", "beta", "--format", "json"]);
    assert_eq!(all.matches("\"display_name\"").count(), 7, "every creator once: {all}");
    let out = r.ok(&["import", "resume", "--workspace", "beta", &job]);
    assert!(out.contains("7 created"), "a finished import stays as it was: {out}");
}

#[test]
fn import_help_is_there() {
    for args in [
        vec!["import", "--help"],
        vec!["import", "creators", "--help"],
        vec!["import", "undo", "--help"],
        vec!["import", "resume", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_rapport")).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn import_dry_run_import_reimport_and_undo_on_sqlite() {
    scenario(&Rapport { data: tempfile::tempdir().unwrap(), database_url: None });
}

#[test]
fn a_stopped_import_is_resumed_not_started_again_on_sqlite() {
    stopped_scenario(&Rapport { data: tempfile::tempdir().unwrap(), database_url: None });
}

#[test]
fn import_dry_run_import_reimport_and_undo_on_postgres() {
    let admin = match std::env::var("TEST_DATABASE_URL") {
        Ok(a) if !a.is_empty() => a,
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL test cannot run")
        }
        _ => {
            eprintln!("skipping the PostgreSQL variant: TEST_DATABASE_URL is not set");
            return;
        }
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(rapport_store::scratch::create_postgres_database(&admin, "rapport_cli")).unwrap();
    let r = Rapport { data: tempfile::tempdir().unwrap(), database_url: Some(url) };
    scenario(&r);
    stopped_scenario(&r);
}

/// The command line edits the suggested mapping before the import runs, as the upload page
/// does: `--map COLUMN=FIELD` names the column by header or letter and the field by the key
/// the dry run shows; a column or field that does not exist is named.
#[test]
fn the_mapping_is_edited_with_map() {
    let r = Rapport { data: tempfile::tempdir().unwrap(), database_url: None };
    r.ok(&["admin", "create-user", "--email", "ops@example.com", "--name", "Ops", "--workspace", "Acme"]);
    let file = r.data.path().join("fans.csv");
    std::fs::write(&file, "Name,Instagram,TikTok,Followers\nLena,lena_ig,lena_tt,12000\n").unwrap();
    let file = file.to_str().unwrap();
    let edits = ["--map", "Followers=instagram_followers", "--map", "c=ignore"];
    let out = r.ok(&[&["import", "creators", file, "--workspace", "acme", "--dry-run"][..], &edits[..]].concat());
    assert!(out.contains("(instagram_followers)") && out.contains("→ Don’t import (ignore)"), "{out}");
    r.ok(&[&["import", "creators", file, "--workspace", "acme"][..], &edits[..]].concat());
    let all: serde_json::Value = serde_json::from_str(&r.export()).unwrap();
    let accounts = &all[0]["social_accounts"];
    assert_eq!(accounts.as_array().unwrap().len(), 1, "TikTok left out: {all}");
    assert_eq!((accounts[0]["platform"].as_str(), accounts[0]["followers"].as_i64()), (Some("instagram"), Some(12000)));
    let (ok, _, err) =
        r.run(&["import", "creators", file, "--workspace", "acme", "--dry-run", "--map", "Fans=followers"]);
    assert!(!ok && err.contains("“Fans” is not a column of the file"), "{err}");
    let (ok, _, err) = r.run(&["import", "creators", file, "--workspace", "acme", "--dry-run", "--map", "Followers"]);
    assert!(!ok && err.contains("COLUMN=FIELD"), "{err}");
}
