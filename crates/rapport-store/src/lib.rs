//! Rapport's storage: the [`Db`] seam over SQLite and PostgreSQL, the migrations, and one
//! module per aggregate. Only this crate knows SQL; every query is scoped by workspace.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod api_keys;
pub mod backfills;
pub mod briefs;
pub mod bulk;
pub mod calendar_feeds;
pub mod campaigns;
pub mod changes;
pub mod collaborations;
pub mod creators;
pub mod db;
pub mod deliverables;
pub mod error;
pub mod files;
pub mod import_fingerprints;
pub mod imports;
pub mod inbound;
pub mod interactions;
pub mod invitations;
pub mod mail_settings;
pub mod merges;
pub mod migrate;
pub mod notes;
pub mod notifications;
pub mod offers;
pub mod outbox;
pub mod playbook;
pub mod portal;
pub mod read_pool;
pub mod scratch;
pub mod sequences;
pub mod sessions;
pub mod shortlists;
pub mod snapshots;
pub mod sql;
pub mod stage_changes;
pub mod submissions;
pub mod suppressions;
pub mod tasks;
pub mod timeline;
pub mod users;
pub mod workspaces;

pub use db::{Arg, Backend, Conn, Db, DbConfig, Pooled, SqliteReads, Tx};
pub use error::{StoreError, StoreResult};
