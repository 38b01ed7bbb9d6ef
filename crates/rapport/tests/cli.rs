//! The `rapport` binary as an operator uses it: help everywhere, migrate, admin commands,
//! demo seeding, and a server that stops cleanly on SIGTERM after finishing its requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn rapport() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
    c.env_remove("DATABASE_URL").env_remove("RAPPORT_PASSWORD").env("RUST_LOG", "warn");
    c
}

fn run(args: &[&str], data: &std::path::Path, password: Option<&str>) -> (bool, String, String) {
    let mut c = rapport();
    c.args(args).arg("--data-dir").arg(data);
    if let Some(p) = password {
        c.env("RAPPORT_PASSWORD", p);
    }
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "create-user", "--help"],
        vec!["admin", "reset-password", "--help"],
        vec!["admin", "create-api-key", "--help"],
    ] {
        let out = rapport().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn admin_commands_create_a_user_reset_the_password_and_issue_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, _) = run(&["migrate"], dir.path(), None);
    assert!(ok && out.contains("up to date"));
    assert!(dir.path().join("rapport.db").exists(), "the SQLite file lives in the data directory");
    let (ok, out, err) = run(
        &["admin", "create-user", "--email", "ops@example.com", "--name", "Ops", "--workspace", "Acme Beauty"],
        dir.path(),
        Some("a strong password"),
    );
    assert!(ok, "{err}");
    assert!(out.contains("acme-beauty"), "{out}");
    let (ok, _, err) = run(
        &["admin", "create-user", "--email", "ops@example.com", "--name", "Ops", "--workspace", "Acme Beauty"],
        dir.path(),
        Some("a strong password"),
    );
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = run(&["admin", "reset-password", "--email", "ops@example.com"], dir.path(), Some("short"));
    assert!(!ok && err.contains("at least 10 characters"), "{err}");
    let (ok, _, err) =
        run(&["admin", "reset-password", "--email", "ops@example.com"], dir.path(), Some("another strong one"));
    assert!(ok, "{err}");
    let (ok, out, err) = run(
        &["admin", "create-api-key", "--workspace", "acme-beauty", "--name", "sync", "--scope", "write"],
        dir.path(),
        None,
    );
    assert!(ok, "{err}");
    assert!(out.lines().any(|l| l.starts_with("rap_")), "{out}");
    let (ok, _, err) = run(&["admin", "create-api-key", "--workspace", "nope", "--name", "sync"], dir.path(), None);
    assert!(!ok && err.contains("no workspace"), "{err}");
}

#[test]
fn a_password_can_come_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = rapport()
        .args(["admin", "create-user", "--email", "in@example.com", "--name", "In", "--workspace", "W", "--data-dir"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"typed on stdin 123\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn demo_seeding_is_idempotent_and_prints_the_login() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, first, err) = run(&["demo"], dir.path(), None);
    assert!(ok, "{err}");
    assert!(first.contains("Created the demo workspace"), "{first}");
    assert!(first.contains("demo@rapport.example"));
    let (ok, second, _) = run(&["demo"], dir.path(), None);
    assert!(ok);
    assert!(second.contains("Found the demo workspace"));
    let count = |s: &str| s.split_whitespace().find_map(|w| w.parse::<u32>().ok()).unwrap();
    assert_eq!(count(&first), count(&second));
    assert!(count(&first) >= 300);
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[cfg(unix)]
#[test]
fn the_server_finishes_in_flight_requests_and_exits_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = rapport()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server printed nothing").unwrap();
        if let Some(rest) = line.strip_prefix("Rapport is running at http://") {
            break rest.trim().to_string();
        }
    };
    assert!(http_get(&addr, "/healthz").ends_with("ok"));
    // A request whose headers are not complete yet is in flight when SIGTERM arrives.
    let mut in_flight = TcpStream::connect(&addr).unwrap();
    write!(in_flight, "GET /readyz HTTP/1.1\r\nHost: {addr}\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(200));
    write!(in_flight, "Connection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ready"));
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(TcpStream::connect(&addr).is_err(), "no longer listening");
}

#[test]
fn export_writes_the_filtered_creators_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(&["demo"], dir.path(), None).0);
    let file = dir.path().join("mega.csv");
    let (ok, _, err) = run(
        &["export", "--workspace", "demo-brand", "--query", "tier=mega", "--output", file.to_str().unwrap()],
        dir.path(),
        None,
    );
    assert!(ok, "{err}");
    let n: usize = err.split_whitespace().find_map(|w| w.parse().ok()).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("id,display_name,"));
    assert_eq!(text.lines().count(), n + 1);
    assert!((10..100).contains(&n), "only the mega tier: {n}");
    // Without a server's search index, the fit scores are computed as the creator page does.
    let mut rows = csv::Reader::from_path(&file).unwrap();
    let fit = rows.headers().unwrap().iter().position(|h| h == "fit_score").unwrap();
    for row in rows.records() {
        let score: u8 = row.unwrap()[fit].parse().expect("every row has its fit score");
        assert!(score <= 100);
    }
    let (ok, _, err) = run(&["export", "--workspace", "demo-brand", "--query", "tier=giant"], dir.path(), None);
    assert!(!ok && err.contains("tier"), "{err}");
    // Everyone, do-not-contact creators with their flag (they must stay uncontacted wherever the
    // file goes), unless the query leaves them out.
    let count = |query: &str| {
        let (ok, out, err) = run(&["export", "--workspace", "demo-brand", "--query", query], dir.path(), None);
        assert!(ok, "{err}");
        let mut rows = csv::Reader::from_reader(out.as_bytes());
        let dnc = rows.headers().unwrap().iter().position(|h| h == "do_not_contact").unwrap();
        let flags: Vec<String> = rows.records().map(|r| r.unwrap()[dnc].to_string()).collect();
        (flags.len(), flags.iter().filter(|f| *f == "true").count())
    };
    let (all, flagged) = count("");
    assert!(flagged > 0, "do-not-contact creators are exported: {all}, {flagged}");
    assert_eq!(count("dnc=exclude"), (all - flagged, 0));
}

#[test]
fn export_problems_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(&["demo"], dir.path(), None).0);
    // Search words are matched by the database; filters only the index holds say how to export them.
    let (ok, out, err) = run(&["export", "--workspace", "demo-brand", "--query", "q=a"], dir.path(), None);
    assert!(ok && out.starts_with("id,"), "{err}");
    let (ok, _, err) = run(&["export", "--workspace", "demo-brand", "--query", "niche=travel"], dir.path(), None);
    assert!(!ok && err.contains("niche: needs the search index") && err.contains("/api/v1/creators/export"), "{err}");
    let (ok, _, err) = run(&["export", "--workspace", "demo-brand", "--query", "platfrom=instagram"], dir.path(), None);
    assert!(!ok && err.contains("platfrom: is not a parameter"), "{err}");
    let missing = dir.path().join("no-such-dir").join("x.csv");
    let (ok, _, err) =
        run(&["export", "--workspace", "demo-brand", "--output", missing.to_str().unwrap()], dir.path(), None);
    assert!(!ok && err.contains(&format!("cannot write {}", missing.display())), "{err}");
}

#[test]
fn an_unreachable_postgresql_is_named_with_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (ok, _, err) = run(&["migrate", "--database-url", "postgres://u:p@127.0.0.1:1/rapport"], dir.path(), None);
    assert!(!ok);
    assert!(err.contains("cannot connect to PostgreSQL at 127.0.0.1:1/rapport"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "a refused connection is said at once, not after a timeout");
}

#[test]
fn serve_refuses_a_files_directory_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let files = file.join("files");
    let (ok, _, err) =
        run(&["serve", "--listen", "127.0.0.1:0", "--files-dir", files.to_str().unwrap()], dir.path(), None);
    assert!(!ok, "{err}");
    assert!(err.contains(&format!("the files directory {} cannot be written", files.display())), "{err}");
}

#[test]
fn reindex_rebuilds_the_search_index_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(&["demo"], dir.path(), None).0);
    let (ok, out, err) = run(&["reindex"], dir.path(), None);
    assert!(ok, "{err}");
    let n: usize = out.split_whitespace().find_map(|w| w.parse().ok()).unwrap();
    assert!(n >= 300, "{out}");
    assert!(dir.path().join("search-index").join("meta.json").exists());
    // Deleted while no server runs: the next reindex builds it again from the database.
    std::fs::remove_dir_all(dir.path().join("search-index")).unwrap();
    let (ok, again, _) = run(&["reindex"], dir.path(), None);
    assert!(ok);
    assert_eq!(again.split_whitespace().find_map(|w| w.parse::<usize>().ok()), Some(n));
}
