//! The shared harness: spawn the app, make workspaces, users and keys, and talk to it as an
//! API client or as a browser (cookies + CSRF).

use rapport_app::files::FilesConfig;
use rapport_app::{App, AppConfig, DbConfig, IndexLocation, PasswordCost, SqliteReads};
use rapport_core::ids::WorkspaceId;
use rapport_core::roles::Role;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Once;

#[derive(Clone, Copy, Debug)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(app: TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::harness::TestApp::spawn($crate::harness::Engine::Sqlite).await.unwrap();
                super::$name(app).await;
            })*
        }
        $crate::postgres_tests!(postgres; $($name),*);
    };
}

/// The PostgreSQL half of [`db_tests`], in a module of the given name: for behaviours only
/// PostgreSQL can show (two writers open at once), as well as for both engines.
#[macro_export]
macro_rules! postgres_tests {
    ($module:ident; $($name:ident),* $(,)?) => {
        mod $module {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::harness::TestApp::spawn($crate::harness::Engine::Postgres).await {
                    let db = app.db.clone();
                    super::$name(app).await;
                    // A test that passed leaves no database behind (a failed one keeps it to look at).
                    $crate::harness::drop_database(&db).await;
                }
            })*
        }
    };
}

/// Drops a test's PostgreSQL database.
pub async fn drop_database(db: &DbConfig) {
    if let (DbConfig::Postgres(url), Ok(admin)) = (db, std::env::var("TEST_DATABASE_URL")) {
        rapport_store::scratch::drop_postgres_database(&admin, url).await.unwrap();
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

static CRYPTO: Once = Once::new();

/// reqwest is built without a default TLS provider; install ring once.
pub fn install_crypto_provider() {
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

pub struct TestApp {
    pub base: String,
    pub app: App,
    /// The database, for opening a second process on it.
    pub db: DbConfig,
    _dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A person with a password in a workspace.
#[derive(Clone, Debug)]
pub struct Person {
    pub email: String,
    pub password: String,
    pub workspace: WorkspaceId,
}

pub const PASSWORD: &str = "correct horse battery";

/// The largest upload a test app accepts: 3 MiB.
pub const MAX_UPLOAD_BYTES: u64 = 3 * 1024 * 1024;

impl TestApp {
    /// A second process on the test's database, without a search index (or creator cache)
    /// of its own, as a CLI command or another server's writes reach it.
    pub async fn other_process(&self) -> App {
        let config =
            AppConfig { password_cost: PasswordCost::Cheap, index: IndexLocation::Disabled, ..Default::default() };
        App::open(&self.db, config).await.unwrap()
    }

    /// `None` when PostgreSQL was asked for but `TEST_DATABASE_URL` is unset (outside CI).
    pub async fn spawn(engine: Engine) -> Option<TestApp> {
        install_crypto_provider();
        let dir = tempfile::tempdir().unwrap();
        let config = match engine {
            Engine::Sqlite => DbConfig::SqliteFile(dir.path().join("rapport.db")),
            Engine::Postgres => match std::env::var("TEST_DATABASE_URL") {
                Ok(admin) if !admin.is_empty() => {
                    let url = rapport_store::scratch::create_postgres_database(&admin, "rapport_test").await.unwrap();
                    DbConfig::Postgres(url)
                }
                _ if in_ci() => panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests cannot run"),
                _ => {
                    eprintln!("skipping the PostgreSQL variant: TEST_DATABASE_URL is not set");
                    return None;
                }
            },
        };
        // The index lives on disk, as in production.
        let index = IndexLocation::Dir(dir.path().join("search-index"));
        let outbox = rapport_app::outbox::deliver::OutboxConfig {
            retry_base: time::Duration::milliseconds(300),
            lease: time::Duration::seconds(30),
            poll: std::time::Duration::from_millis(200),
            smtp_timeout: std::time::Duration::from_secs(5),
        };
        // Uploads live in the test's own directory; the limit is small enough to test cheaply
        // and larger than the server's default body limit (2 MB), which must not apply.
        let files = FilesConfig { dir: Some(dir.path().join("files")), max_bytes: MAX_UPLOAD_BYTES };
        let app = App::open(
            &config,
            AppConfig {
                password_cost: PasswordCost::Cheap,
                index,
                outbox,
                files,
                sqlite_reads: SqliteReads::Mapped,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = app.clone();
        tokio::spawn(async move {
            rapport_web::serve(listener, served, rapport_web::WebConfig::default(), async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        // The server answers (so its start-up work is done) before the test begins.
        let up = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert!(up.status().is_success(), "the test server did not start");
        Some(TestApp { base, app, _dir: Some(dir), db: config, shutdown: Some(tx) })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new workspace with one user of `role`.
    pub async fn workspace(&self, name: &str, role: Role) -> Person {
        let email = format!("{}@example.com", rapport_app::workspaces::slugify(name));
        self.person_in(name, &email, role).await
    }

    /// A user (new) in the workspace called `workspace` (created when missing).
    pub async fn person_in(&self, workspace: &str, email: &str, role: Role) -> Person {
        let (_, ws) = rapport_app::members::create_user(&self.app, email, "Test Person", PASSWORD, workspace, role)
            .await
            .unwrap();
        Person { email: email.to_string(), password: PASSWORD.to_string(), workspace: ws }
    }

    pub async fn key(&self, ws: WorkspaceId, scope: &str) -> String {
        rapport_app::api_keys::create_unchecked(&self.app, ws, "system", "test key", scope, None).await.unwrap().1
    }

    /// An API client with a write key in a new workspace.
    pub async fn api_in_new_workspace(&self, name: &str) -> (Api, Person) {
        let p = self.workspace(name, Role::Owner).await;
        let key = self.key(p.workspace, "write").await;
        (self.api(&key), p)
    }

    pub fn api(&self, key: &str) -> Api {
        Api { client: reqwest::Client::new(), base: self.base.clone(), key: key.to_string() }
    }

    pub async fn browser(&self) -> Browser {
        let client =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: self.base.clone() }
    }

    /// A browser signed in as `p`.
    pub async fn signed_in(&self, p: &Person) -> Browser {
        let b = self.browser().await;
        let (status, _) = b.login(&p.email, &p.password).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "login failed for {}", p.email);
        b
    }
}

pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub key: String,
}

async fn json_of(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let v = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, v)
}

impl Api {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}/api/v1{path}", self.base)).bearer_auth(&self.key)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        json_of(self.req(reqwest::Method::GET, path).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json_of(self.req(reqwest::Method::POST, path).json(&body).send().await.unwrap()).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json_of(self.req(reqwest::Method::PUT, path).json(&body).send().await.unwrap()).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json_of(self.req(reqwest::Method::PATCH, path).json(&body).send().await.unwrap()).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        json_of(self.req(reqwest::Method::DELETE, path).send().await.unwrap()).await
    }

    /// Uploads `content` as the multipart field `file`, claiming `content_type` for it.
    pub async fn upload(&self, path: &str, file_name: &str, content_type: &str, content: &[u8]) -> (StatusCode, Value) {
        self.upload_with(path, &[], file_name, content_type, content).await
    }

    /// [`Api::upload`] with other form fields before the file.
    pub async fn upload_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        content_type: &str,
        content: &[u8],
    ) -> (StatusCode, Value) {
        let (header, body) = multipart_body(fields, file_name, content_type, content);
        json_of(self.req(reqwest::Method::POST, path).header("content-type", header).body(body).send().await.unwrap())
            .await
    }

    /// A GET answered with whatever it is (bytes, headers).
    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.req(reqwest::Method::GET, path).send().await.unwrap()
    }

    /// Creates a creator and returns its JSON, asserting 201.
    pub async fn creator(&self, body: Value) -> Value {
        let (s, v) = self.post("/creators", body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v
    }
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

/// The first hidden `_csrf` value on a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("no CSRF field on the page") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// A `multipart/form-data` body with `fields` and the file as field `file`, as a browser
/// sends it; returns the `Content-Type` header and the body.
pub fn multipart_body(
    fields: &[(&str, &str)],
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----rapport-test-7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes());
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: {content_type}\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(content);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Browser {
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Posts a form; returns the status and the `Location` (or the body when not a redirect).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let r = self.client.post(format!("{}{path}", self.base)).form(form).send().await.unwrap();
        let status = r.status();
        if status.is_redirection() {
            let loc = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
            (status, loc)
        } else {
            (status, r.text().await.unwrap())
        }
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, String) {
        let (_, page) = self.get("/login").await;
        let csrf = csrf_in(&page);
        self.post("/login", &[("_csrf", &csrf), ("email", email), ("password", password)]).await
    }

    /// The session's CSRF token, read from a signed-in page.
    pub async fn csrf(&self) -> String {
        let (s, page) = self.get("/creators").await;
        assert_eq!(s, StatusCode::OK);
        csrf_in(&page)
    }

    /// Posts a multipart form with a file, as a browser does; returns the status and the
    /// `Location` (or the body when not a redirect).
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        content: &[u8],
    ) -> (StatusCode, String) {
        let (header, body) = multipart_body(fields, file_name, "application/octet-stream", content);
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", header)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = match r.headers().get("location") {
            Some(l) if status.is_redirection() => l.to_str().unwrap().to_string(),
            _ => r.text().await.unwrap(),
        };
        (status, text)
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let csrf = self.csrf().await;
        let mut f: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
        f.extend_from_slice(form);
        self.post(path, &f).await
    }
}
