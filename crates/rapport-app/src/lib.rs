//! Rapport's use cases: every action a person, an API client or the CLI can take, as
//! plain async functions over the store. They validate with `rapport-core`, check the
//! caller's [`Ctx`], run multi-row writes in one transaction and record the timeline.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod api_keys;
pub mod auth;
pub mod briefs;
pub mod calendar;
pub mod campaigns;
pub mod collaborations;
pub mod context;
pub mod creators;
pub mod dashboard;
pub mod deliverables;
pub mod demo;
pub mod demo_campaigns;
pub mod demo_playbook;
pub mod disclosure;
pub mod error;
pub mod export;
pub mod files;
pub mod imports;
pub mod inbound;
pub mod insights;
pub mod interactions;
pub mod mail_settings;
pub mod members;
pub mod merges;
pub mod notes;
pub mod notifications;
pub mod offers;
pub mod outbox;
pub mod pipeline;
pub mod playbook;
pub mod portal;
pub mod reviews;
pub mod search;
pub mod sequences;
pub mod settings;
pub mod shortlists;
pub mod suppressions;
pub mod tasks;
pub mod timeline;
pub mod tokens;
pub mod workspaces;

pub use context::{Ctx, Scope};
pub use error::{AppError, AppResult};
pub use rapport_store::{Db, DbConfig, SqliteReads};

/// How often the scan for overdue drafts and expiring offers runs.
const NOTIFICATION_SCAN: std::time::Duration = std::time::Duration::from_secs(300);

/// How expensive password hashing is: `Standard` in production, `Cheap` in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    Standard,
    Cheap,
}

/// Where the search index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexLocation {
    /// No index (one-shot CLI commands: their writes reach the log, servers index them).
    Disabled,
    Memory,
    Dir(std::path::PathBuf),
}

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub index: IndexLocation,
    pub password_cost: PasswordCost,
    /// How long a browser session lives without use.
    pub session_ttl: time::Duration,
    /// How long an invitation link stays valid.
    pub invitation_ttl: time::Duration,
    /// How the email delivery worker paces itself.
    pub outbox: outbox::deliver::OutboxConfig,
    /// How the IMAP poller paces itself.
    pub imap: inbound::imap::ImapConfig,
    /// Where uploaded files are kept and how large one may be.
    pub files: files::FilesConfig,
    /// How the embedded database's file is read: mapped for a server, cached for a one-shot
    /// command (see [`rapport_store::SqliteReads`]).
    pub sqlite_reads: rapport_store::SqliteReads,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            index: IndexLocation::Memory,
            password_cost: PasswordCost::Standard,
            session_ttl: time::Duration::days(14),
            invitation_ttl: time::Duration::days(7),
            outbox: outbox::deliver::OutboxConfig::default(),
            imap: inbound::imap::ImapConfig::default(),
            files: files::FilesConfig::default(),
            sqlite_reads: rapport_store::SqliteReads::Cached,
        }
    }
}

/// The application: the database, the search index and settings. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    pub config: AppConfig,
    pub search: Option<std::sync::Arc<search::Search>>,
    /// Wakes this process's email delivery worker when a message is queued.
    pub outbox_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Engagement medians the creator page has computed.
    pub bands: std::sync::Arc<insights::BandCache>,
}

impl App {
    /// Connects, refuses a schema newer than this binary, applies migrations and opens the
    /// search index (which [`App::start_background`] rebuilds if it has to).
    pub async fn open(db_config: &DbConfig, config: AppConfig) -> AppResult<App> {
        let db = Db::connect_with(db_config, config.sqlite_reads).await?;
        rapport_store::migrate::run(&db).await?;
        let backfilled = rapport_store::backfills::run(&db, rapport_core::actor::now()).await?;
        if backfilled > 0 {
            tracing::info!(rows = backfilled, "data backfilled after the migrations");
        }
        let search = match &config.index {
            IndexLocation::Disabled => None,
            IndexLocation::Memory => Some(search::Search::open(None)?.0),
            IndexLocation::Dir(d) => Some(search::Search::open(Some(d))?.0),
        };
        Ok(App { db, config, search, outbox_wake: Default::default(), bands: Default::default() })
    }

    /// Starts the background work of a server process: the search indexer, the email
    /// delivery worker, the mailbox poller, the sequence runner, the notification scan, and any import
    /// (or import undo) that a previous process left unfinished. Those jobs are picked before
    /// this returns (their work goes on in the background), so an import started after it
    /// is never taken for a leftover.
    pub async fn start_background(&self) {
        if self.search.is_some() {
            tokio::spawn(search::run(self.clone()));
        }
        tokio::spawn(outbox::deliver::run(self.clone()));
        tokio::spawn(inbound::imap::run(self.clone()));
        tokio::spawn(sequences::runner::run(self.clone(), self.config.outbox.poll));
        tokio::spawn(notifications::events::run(self.clone(), NOTIFICATION_SCAN));
        if let Err(e) = imports::resume_unfinished(self).await {
            tracing::error!(error = %e, "resuming unfinished imports failed");
        }
    }
}
