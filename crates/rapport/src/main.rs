//! The `rapport` binary: parses the command line and dispatches. Nothing else lives here.
#![forbid(unsafe_code)]

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rapport_app::files::FilesConfig;
use rapport_app::{App, AppConfig, DbConfig, IndexLocation, SqliteReads};
use rapport_core::roles::Role;
use std::fmt;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;

mod import_cmd;

/// mimalloc instead of the C library's allocator: a request allocates and frees many small
/// values across the runtime's threads, where glibc's malloc spent a fifth of the server's
/// CPU on an API page (bench/RESULTS.md). The `override` feature hands it the C library's
/// `malloc` and `free` too, which the bundled SQLite calls for every value of every row it
/// returns (a tenth of the CPU of a page of creators, bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rapport — self-hosted creator relationship management.
#[derive(Parser)]
#[command(name = "rapport", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (HTML pages and the JSON API).
    Serve(ServeArgs),
    /// Create (idempotently) a demo workspace with realistic data and print its login.
    Demo(DbArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Operator tasks: users, passwords, API keys.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Rebuild the search index from the database (while the server is stopped; a running
    /// server rebuilds its own index by itself when it is missing or damaged).
    Reindex(DbArgs),
    /// Export a workspace's creators (all, or those matching a list query) as CSV or JSON.
    Export(ExportArgs),
    /// Import creators from a CSV file (with a dry run), or undo an import.
    Import(import_cmd::ImportArgs),
}

#[derive(Args, Debug)]
struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The workspace's slug.
    #[arg(long)]
    workspace: String,
    /// `csv` or `json`.
    #[arg(long, default_value = "csv")]
    format: String,
    /// List filters as a query string, e.g. `platform=instagram&tier=mid&tag=vip`. Unlike a list,
    /// an export includes do-not-contact creators (with their flag) unless it says `dnc=exclude`.
    #[arg(long, default_value = "")]
    query: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Where the data lives. `DATABASE_URL=postgres://…` selects PostgreSQL; otherwise an
/// SQLite file `rapport.db` in the data directory.
#[derive(Args, Clone)]
struct DbArgs {
    /// Directory for the embedded database (created on first start).
    #[arg(long, env = "RAPPORT_DATA_DIR", default_value = "./rapport-data")]
    data_dir: PathBuf,
    /// `postgres://user:pass@host/db` to use PostgreSQL instead of the embedded SQLite.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Directory of uploaded files (default: `files` in the data directory). Several
    /// servers on one PostgreSQL database must share it.
    #[arg(long, env = "RAPPORT_FILES_DIR")]
    files_dir: Option<PathBuf>,
    /// The largest file accepted for upload, in MiB.
    #[arg(long, env = "RAPPORT_MAX_UPLOAD_MIB", default_value_t = 50)]
    max_upload_mib: u64,
    /// Log output format.
    #[arg(long, env = "RAPPORT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

impl fmt::Debug for DbArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbArgs")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "<redacted>"))
            .field("files_dir", &self.files_dir)
            .field("max_upload_mib", &self.max_upload_mib)
            .finish()
    }
}

#[derive(Clone, Copy, ValueEnum, Debug)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "RAPPORT_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seed the demo workspace before serving.
    #[arg(long, env = "RAPPORT_DEMO")]
    demo: bool,
    /// Mark cookies Secure (set this when Rapport is served over HTTPS).
    #[arg(long, env = "RAPPORT_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Public origin for links shown to people, e.g. https://crm.example.com.
    #[arg(long, env = "RAPPORT_PUBLIC_URL")]
    public_url: Option<String>,
    /// Addresses of reverse proxies in front of Rapport (comma-separated): behind them, a
    /// request's client is the address their X-Forwarded-For names.
    #[arg(long = "trusted-proxy", env = "RAPPORT_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user with a role in a workspace (created when missing). The password is
    /// read from RAPPORT_PASSWORD or, when unset, from the first line of standard input.
    CreateUser {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Workspace name; a new workspace is created when none has this name's slug.
        #[arg(long)]
        workspace: String,
        #[arg(long, default_value = "owner")]
        role: String,
    },
    /// Set a new password (from RAPPORT_PASSWORD or standard input) and end the user's sessions.
    ResetPassword {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
    },
    /// Create an API key for a workspace and print it once.
    CreateApiKey {
        #[command(flatten)]
        db: DbArgs,
        /// The workspace's slug (as in `rapport admin create-user` output).
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        name: String,
        /// `read` or `write`.
        #[arg(long, default_value = "read")]
        scope: String,
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colours only for a person at a terminal, not in a log file.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Opens the database for a one-shot command (no search index: its writes reach the change
/// log, and servers index them).
async fn open(db: &DbArgs) -> Result<App> {
    open_with(db, IndexLocation::Disabled, SqliteReads::Cached).await
}

/// The search index of a server process lives in the data directory.
fn index_dir(db: &DbArgs) -> PathBuf {
    db.data_dir.join("search-index")
}

/// Refuses to serve with a files directory that cannot take uploads (every upload would fail).
fn check_files_dir(files: &FilesConfig) -> Result<()> {
    let Some(dir) = &files.dir else { return Ok(()) };
    let probe = dir.join(".rapport-write-check");
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&probe, b"ok"))
        .and_then(|()| std::fs::remove_file(&probe))
        .with_context(|| format!("the files directory {} cannot be written (--files-dir)", dir.display()))
}

/// Uploaded files live in the data directory unless placed elsewhere.
fn files_config(db: &DbArgs) -> FilesConfig {
    FilesConfig {
        dir: Some(db.files_dir.clone().unwrap_or_else(|| db.data_dir.join("files"))),
        max_bytes: db.max_upload_mib.saturating_mul(1024 * 1024),
    }
}

async fn open_with(db: &DbArgs, index: IndexLocation, sqlite_reads: SqliteReads) -> Result<App> {
    let config = DbConfig::choose(db.database_url.as_deref(), &db.data_dir)?;
    if let DbConfig::SqliteFile(path) = &config {
        tracing::info!(path = %path.display(), "using the embedded SQLite database");
    } else {
        tracing::info!("using PostgreSQL");
    }
    let files = files_config(db);
    App::open(&config, AppConfig { index, files, sqlite_reads, ..AppConfig::default() })
        .await
        .context("opening the database")
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("RAPPORT_PASSWORD") {
        return Ok(p);
    }
    eprintln!("Password (input is read from standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        bail!("no password given: set RAPPORT_PASSWORD or type it on standard input");
    }
    Ok(p)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

fn print_demo(summary: &rapport_app::demo::DemoSummary) {
    let what = if summary.created { "Created" } else { "Found" };
    println!("{what} the demo workspace with {} creators.", summary.creators);
    println!("Sign in with  email: {}  password: {}", summary.email, summary.password);
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => {
            init_logging(args.db.log_format);
            let app = open_with(&args.db, IndexLocation::Dir(index_dir(&args.db)), SqliteReads::Mapped).await.map_err(
                |e| {
                    if format!("{e:#}").contains("locked by another writer") {
                        e.context(
                            "another server uses this data directory: each `rapport serve` needs its own --data-dir",
                        )
                    } else {
                        e
                    }
                },
            )?;
            check_files_dir(&files_config(&args.db))?;
            if args.demo {
                let s = rapport_app::demo::seed(&app).await?;
                print_demo(&s);
            }
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            let addr = listener.local_addr()?;
            println!("Rapport is running at http://{addr}");
            // Behind TLS (an https public address), cookies are Secure even without the flag.
            let https = args.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
            let web = rapport_web::WebConfig {
                secure_cookies: args.secure_cookies || https,
                public_url: args.public_url,
                trusted_proxies: args.trusted_proxies,
            };
            rapport_web::serve(listener, app.clone(), web, shutdown_signal()).await?;
            app.db.close().await;
            Ok(())
        }
        Command::Demo(db) => {
            init_logging(db.log_format);
            let app = open(&db).await?;
            print_demo(&rapport_app::demo::seed(&app).await?);
            Ok(())
        }
        Command::Migrate(db) => {
            init_logging(db.log_format);
            open(&db).await?;
            println!("The database schema is up to date.");
            Ok(())
        }
        Command::Admin(cmd) => admin(cmd).await,
        Command::Export(args) => export(args).await,
        Command::Import(args) => import_cmd::run(args).await,
        Command::Reindex(db) => {
            init_logging(db.log_format);
            let app = open_with(&db, IndexLocation::Dir(index_dir(&db)), SqliteReads::Mapped)
                .await
                .context("is a server using this data directory? Stop it first, or let it rebuild its own index")?;
            let started = std::time::Instant::now();
            let n = rapport_app::search::rebuild(&app).await?;
            println!("Indexed {n} creators in {:.1} s.", started.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

async fn export(args: ExportArgs) -> Result<()> {
    use tokio::io::AsyncWriteExt;
    init_logging(args.db.log_format);
    let app = open(&args.db).await?;
    let format = rapport_app::export::Format::parse(&args.format)?;
    rapport_app::creators::check_parameters(&args.query, &[])?;
    let mut query = rapport_app::creators::CreatorQuery::from_query_string(&args.query)?;
    // An export moves data: do-not-contact creators go with it, flagged, unless the query says
    // otherwise — leaving them out would lose the flag where the file is imported.
    if query.dnc.as_deref().is_none_or(|d| d.trim().is_empty()) {
        query.dnc = Some("include".into());
    }
    let ctx = rapport_app::workspaces::operator_ctx(&app, &args.workspace).await?;
    rapport_app::creators::check_query(&app, &ctx, &query).await?;
    let mut out: Box<dyn tokio::io::AsyncWrite + Unpin + Send> = match &args.output {
        Some(path) => {
            Box::new(tokio::fs::File::create(path).await.with_context(|| format!("cannot write {}", path.display()))?)
        }
        None => Box::new(tokio::io::stdout()),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let writer = tokio::spawn(async move {
        while let Some(chunk) = rx.recv().await {
            out.write_all(&chunk).await?;
        }
        out.flush().await?;
        Ok::<_, std::io::Error>(())
    });
    let n = rapport_app::export::export(&app, &ctx, query, format, tx).await?;
    writer.await??;
    eprintln!("Exported {n} creators.");
    Ok(())
}

async fn admin(cmd: AdminCommand) -> Result<()> {
    match cmd {
        AdminCommand::CreateUser { db, email, name, workspace, role } => {
            init_logging(db.log_format);
            let role = Role::parse(&role).map_err(anyhow::Error::msg)?;
            let app = open(&db).await?;
            let password = read_password()?;
            let (user, ws) =
                rapport_app::members::create_user(&app, &email, &name, &password, &workspace, role).await?;
            println!(
                "Created user {user} as {} in workspace {ws} ({}).",
                role.slug(),
                rapport_app::workspaces::slugify(&workspace)
            );
            Ok(())
        }
        AdminCommand::ResetPassword { db, email } => {
            init_logging(db.log_format);
            let app = open(&db).await?;
            let password = read_password()?;
            rapport_app::members::reset_password(&app, &email, &password).await?;
            println!("Password changed; the user's sessions were ended.");
            Ok(())
        }
        AdminCommand::CreateApiKey { db, workspace, name, scope, expires_in_days } => {
            init_logging(db.log_format);
            let app = open(&db).await?;
            let ctx = rapport_app::workspaces::operator_ctx(&app, &workspace).await?;
            let (key, secret) = rapport_app::api_keys::create_unchecked(
                &app, ctx.workspace_id, "system", &name, &scope, expires_in_days,
            )
            .await?;
            println!("Created API key {} ({}, {}). It is shown only now:", key.id, key.name, key.scope);
            println!("{secret}");
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
