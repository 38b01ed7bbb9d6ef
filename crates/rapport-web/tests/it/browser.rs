//! A real browser: Debian's headless Chromium driven through chromedriver with the W3C
//! WebDriver protocol, spoken directly over HTTP (a tiny client below, no WebDriver crate).
//! One browser runs at a time.
//!
//! Skipped with a note when Chromium or chromedriver is missing, except in CI, where it fails.

use crate::harness::{Engine, Person, TestApp, in_ci};
use rapport_core::roles::Role;
use serde_json::{Value, json};
use std::future::Future;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C key of a web element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// WebDriver's codes for the Enter, Shift and right arrow keys, and for releasing Shift.
const ENTER: &str = "\u{E007}";
const SHIFT: &str = "\u{E008}";
const ARROW_RIGHT: &str = "\u{E014}";
const RELEASE: &str = "\u{E000}";
/// How long a page may take to reach the state a step waits for.
pub(crate) const STEP: Duration = Duration::from_secs(10);

/// A running chromedriver, killed on drop; the browser session, when one is still open, is
/// closed first (with a plain blocking HTTP request, so it also happens when a test panics).
pub(crate) struct ChromeDriver {
    child: Child,
    port: u16,
    session: Option<String>,
}

impl ChromeDriver {
    /// Starts chromedriver on a free port and waits until it reports ready.
    pub(crate) async fn start() -> ChromeDriver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver did not start");
        let driver = ChromeDriver { child, port, session: None };
        let http = client();
        let status = format!("{}/status", driver.base());
        wait_for("chromedriver to report ready", STEP, || {
            let (http, status) = (&http, &status);
            async move {
                let v: Value = http
                    .get(status)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?
                    .json()
                    .await
                    .map_err(|e| e.to_string())?;
                if v["value"]["ready"] == json!(true) { Ok(()) } else { Err(format!("status: {v}")) }
            }
        })
        .await;
        driver
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            // Best effort: a panicking test still closes Chromium rather than orphaning it.
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let req = format!(
                    "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                    self.port
                );
                if s.write_all(req.as_bytes()).is_ok() {
                    let _ = s.read_to_end(&mut Vec::new());
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    crate::harness::install_crypto_provider();
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap()
}

/// Polls `probe` until it succeeds, panicking after `timeout` with `what` and the last reason
/// the probe gave for not being there yet.
pub(crate) async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match probe().await {
            Ok(v) => return v,
            Err(why) if start.elapsed() >= timeout => panic!("timed out after {timeout:?} waiting for {what}: {why}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// A WebDriver error: the protocol's error code and message.
#[derive(Debug)]
pub(crate) struct WdError(String);

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One browser session.
pub(crate) struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

/// A web element reference.
#[derive(Clone, Debug)]
pub(crate) struct Element(String);

impl Session {
    pub(crate) async fn new(driver: &mut ChromeDriver, profile: &Path) -> Session {
        let http = client();
        let base = driver.base();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "timeouts": {"pageLoad": 15_000, "script": 5_000, "implicit": 0},
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let v = send(&http, reqwest::Method::POST, &format!("{base}/session"), Some(caps))
            .await
            .unwrap_or_else(|e| panic!("could not open a Chromium session: {e}"));
        let id = v["sessionId"].as_str().expect("no sessionId").to_string();
        driver.session = Some(id.clone());
        Session { http, base, id }
    }

    pub(crate) async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        send(&self.http, method, &format!("{}/session/{}{path}", self.base, self.id), body).await
    }

    pub(crate) async fn get(&self, path: &str) -> Result<Value, WdError> {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Result<Value, WdError> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await.unwrap_or_else(|e| panic!("navigating to {url}: {e}"));
    }

    pub(crate) async fn current_url(&self) -> Result<String, WdError> {
        Ok(self.get("/url").await?.as_str().unwrap_or_default().to_string())
    }

    pub(crate) async fn try_find(&self, css: &str) -> Result<Element, WdError> {
        let v = self.post("/element", json!({"using": "css selector", "value": css})).await?;
        v[ELEMENT_KEY].as_str().map(|id| Element(id.to_string())).ok_or_else(|| WdError(format!("no element in {v}")))
    }

    pub(crate) async fn find(&self, css: &str) -> Element {
        self.try_find(css).await.unwrap_or_else(|e| panic!("finding {css}: {e}"))
    }

    pub(crate) async fn send_keys(&self, el: &Element, text: &str) {
        self.post(&format!("/element/{}/value", el.0), json!({"text": text}))
            .await
            .unwrap_or_else(|e| panic!("typing {text:?}: {e}"));
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.send_keys(&el, text).await;
    }

    pub(crate) async fn clear(&self, css: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{}/clear", el.0), json!({}))
            .await
            .unwrap_or_else(|e| panic!("clearing {css}: {e}"));
    }

    pub(crate) async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{}/click", el.0), json!({}))
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    pub(crate) async fn try_text(&self, css: &str) -> Result<String, WdError> {
        let el = self.try_find(css).await?;
        Ok(self.get(&format!("/element/{}/text", el.0)).await?.as_str().unwrap_or_default().to_string())
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        self.try_text(css).await.unwrap_or_else(|e| panic!("reading the text of {css}: {e}"))
    }

    /// The live `value` property (what the person sees in the field), not the attribute.
    pub(crate) async fn value(&self, css: &str) -> String {
        let el = self.find(css).await;
        let v = self.get(&format!("/element/{}/property/value", el.0)).await.unwrap();
        v.as_str().unwrap_or_default().to_string()
    }

    pub(crate) async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let el = self.find(css).await;
        let v = self.get(&format!("/element/{}/attribute/{name}", el.0)).await.unwrap();
        v.as_str().map(str::to_string)
    }

    pub(crate) async fn try_source(&self) -> Result<String, WdError> {
        Ok(self.get("/source").await?.as_str().unwrap_or_default().to_string())
    }

    pub(crate) async fn source(&self) -> String {
        self.try_source().await.unwrap()
    }

    pub(crate) async fn execute(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
            .unwrap_or_else(|e| panic!("running {script:?}: {e}"))
    }

    /// A base64 PNG of the viewport, decoded.
    pub(crate) async fn screenshot(&self) -> Vec<u8> {
        let v = self.get("/screenshot").await.unwrap();
        base64_decode(v.as_str().expect("screenshot is not a string"))
    }

    /// Waits until the current URL's path (and query) relative to `app_base` satisfies `ok`.
    pub(crate) async fn wait_for_url(&self, what: &str, app_base: &str, ok: impl Fn(&str) -> bool) -> String {
        wait_for(what, STEP, || async {
            let url = self.current_url().await.map_err(|e| e.to_string())?;
            match url.strip_prefix(app_base) {
                Some(rest) if ok(rest) => Ok(rest.to_string()),
                _ => Err(format!("the browser is at {url}")),
            }
        })
        .await
    }

    pub(crate) async fn quit(self, driver: &mut ChromeDriver) {
        self.cmd(reqwest::Method::DELETE, "", None).await.unwrap();
        driver.session = None;
    }
}

/// Sends one WebDriver command and unwraps its `value` (or its error).
async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, WdError> {
    let mut req = http.request(method.clone(), url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.map_err(|e| WdError(format!("{method} {url}: {e}")))?;
    let status = resp.status();
    let v: Value = resp.json().await.map_err(|e| WdError(format!("{method} {url}: {status}, not JSON: {e}")))?;
    if status.is_success() {
        Ok(v["value"].clone())
    } else {
        let err = &v["value"];
        Err(WdError(format!("{method} {url}: {status} {}: {}", err["error"], err["message"])))
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    fn sextet(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    }
    let clean: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &c)| n | (sextet(c) << (18 - 6 * i)));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// `Some(reason)` when the browser test cannot run here.
fn missing_browser() -> Option<String> {
    [CHROMIUM, CHROMEDRIVER]
        .iter()
        .find(|p| !Path::new(p).exists())
        .map(|p| format!("{p} is not installed (apt-get install chromium chromium-driver)"))
}

/// Browser tests take turns: two Chromiums at once on a small machine make both slow.
pub(crate) static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A browser for one test: chromedriver, its session and the profile directory. `None`
/// (with a note) when Chromium is missing outside CI.
pub(crate) async fn open_browser() -> Option<(ChromeDriver, Session, tempfile::TempDir)> {
    if let Some(why) = missing_browser() {
        if in_ci() {
            panic!("CI is set but the browser test cannot run: {why}");
        }
        eprintln!("skipping the browser test: {why}");
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("chromium-profile");
    std::fs::create_dir(&profile).unwrap();
    let mut driver = ChromeDriver::start().await;
    let session = Session::new(&mut driver, &profile).await;
    Some((driver, session, tmp))
}

/// Signs in with the real form and waits for the creators list.
pub(crate) async fn sign_in(b: &Session, app: &TestApp, p: &Person) {
    b.goto(&app.url("/login")).await;
    b.type_into("#email", &p.email).await;
    b.type_into("#password", &p.password).await;
    b.click("form button[type=submit]").await;
    b.wait_for_url("the creators list after signing in", &app.base, |p| p == "/creators").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_fixes_a_form_error_and_finds_the_creator() {
    let _turn = ONE_BROWSER.lock().await;
    let Some((mut driver, b, _profile)) = open_browser().await else { return };
    let started = Instant::now();
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let owner = app.workspace("Browser Studio", Role::Owner).await;
    let base = app.base.clone();
    sign_in(&b, &app, &owner).await;

    // A form error keeps what was typed and says what is wrong, next to the field.
    b.goto(&app.url("/creators/new")).await;
    b.type_into("#f-display_name", "Zinnia Voss").await;
    b.type_into("#f-city", "Lisbon").await;
    b.type_into("#f-email", "zinnia-at-example").await;
    b.click("form.record-form button[type=submit]").await;
    let summary =
        wait_for("the error summary", STEP, || async { b.try_text("#error-summary").await.map_err(|e| e.to_string()) })
            .await;
    assert!(summary.contains("valid email address"), "summary: {summary}");
    assert_eq!(b.value("#f-display_name").await, "Zinnia Voss", "the name was lost");
    assert_eq!(b.value("#f-city").await, "Lisbon", "the city was lost");
    assert_eq!(b.value("#f-email").await, "zinnia-at-example", "the bad email was lost");
    assert_eq!(b.attribute("#f-email", "aria-invalid").await.as_deref(), Some("true"));
    let inline = b.text("#e-email").await;
    assert!(inline.contains("valid email address"), "inline error: {inline}");
    wait_for("the error summary to take focus", STEP, || async {
        match b.post("/execute/sync", json!({"script": "return document.activeElement.id", "args": []})).await {
            Ok(v) if v == json!("error-summary") => Ok(()),
            Ok(v) => Err(format!("the focus is on #{v}")),
            Err(e) => Err(e.to_string()),
        }
    })
    .await;

    // Fixing it creates the creator and lands on its page.
    b.clear("#f-email").await;
    b.type_into("#f-email", "zinnia@example.com").await;
    b.click("form.record-form button[type=submit]").await;
    b.wait_for_url("the new creator's page", &base, |p| p.starts_with("/creators/cr_")).await;
    wait_for("the new creator's name and the flash", STEP, || async {
        let page = b.try_source().await.map_err(|e| e.to_string())?;
        if page.contains("Zinnia Voss") && page.contains("was added") {
            Ok(())
        } else {
            Err(format!("page: {}", &page[..page.len().min(2000)]))
        }
    })
    .await;

    // `/` focuses the search box; Enter searches.
    b.goto(&app.url("/creators")).await;
    let body = b.find("body").await;
    b.send_keys(&body, "/").await;
    assert_eq!(b.execute("return document.activeElement.id").await, json!("q"), "`/` should focus the search box");
    b.type_into("#q", &format!("zinnia{ENTER}")).await;
    b.wait_for_url("the search results", &base, |p| p.starts_with("/creators?") && p.contains("q=zinnia")).await;
    assert_eq!(b.text(".data-table .person-name").await, "Zinnia Voss");
    assert_eq!(b.text("#result-count").await, "1");
    assert!(b.source().await.contains("Zinnia Voss"));

    let png = b.screenshot().await;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "the screenshot is not a PNG");
    if let Some(dir) = std::env::var_os("RAPPORT_SCREENSHOTS").filter(|d| !d.is_empty()) {
        let path = Path::new(&dir).join("creators-search.png");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&path, &png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }

    b.quit(&mut driver).await;
    drop(driver);
    eprintln!("browser test took {:?}", started.elapsed());
}

/// Waits until the page shows `text` (after a form post and its redirect).
pub(crate) async fn wait_for_text(b: &Session, what: &str, text: &str) {
    wait_for(what, STEP, || async {
        let page = b.try_source().await.map_err(|e| e.to_string())?;
        if page.contains(text) { Ok(()) } else { Err(format!("no “{text}” yet")) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_moves_pipeline_cards_with_the_menu_and_the_keyboard() {
    let _turn = ONE_BROWSER.lock().await;
    let Some((mut driver, b, _profile)) = open_browser().await else { return };
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let owner = app.workspace("Board Studio", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let ana = api.creator(json!({"display_name": "Ana Lima"})).await["id"].as_str().unwrap().to_string();
    let ben =
        api.creator(json!({"display_name": "Ben Ode", "stage": "contacted"})).await["id"].as_str().unwrap().to_string();
    sign_in(&b, &app, &owner).await;
    b.goto(&app.url("/pipeline")).await;

    // The card's menu, with the keyboard only: open it, pick the stage, press Move.
    b.send_keys(&b.find(&format!("[data-card='{ana}'] summary")).await, ENTER).await;
    b.send_keys(&b.find(&format!("#mv-{ana}")).await, "Qualified").await;
    b.send_keys(&b.find(&format!("[data-card='{ana}'] button[type=submit]")).await, ENTER).await;
    wait_for_text(&b, "the flash after the menu move", "Ana Lima is in Qualified.").await;
    b.find(&format!("[data-stage='qualified'] [data-card='{ana}']")).await;

    // Shift+→ on a focused card sends it to the next column.
    let link = b.find(&format!("[data-card='{ben}'] a.person")).await;
    b.send_keys(&link, &format!("{SHIFT}{ARROW_RIGHT}{RELEASE}")).await;
    wait_for_text(&b, "the flash after the keyboard move", "Ben Ode is in Negotiating.").await;
    b.find(&format!("[data-stage='negotiating'] [data-card='{ben}']")).await;

    // Into do-not-contact only after saying yes.
    b.click(&format!("[data-card='{ana}'] summary")).await;
    b.send_keys(&b.find(&format!("#mv-{ana}")).await, "Do not").await;
    b.click(&format!("[data-card='{ana}'] button[type=submit]")).await;
    let question = wait_for("the confirmation", STEP, || async {
        b.get("/alert/text").await.map(|v| v.as_str().unwrap_or_default().to_string()).map_err(|e| e.to_string())
    })
    .await;
    assert_eq!(question, "Mark Ana Lima as do not contact? Nobody in the team may reach out to them.");
    b.post("/alert/accept", json!({})).await.unwrap();
    wait_for_text(&b, "the flash after do-not-contact", "Ana Lima is marked do not contact.").await;
    b.find(&format!("[data-stage='do_not_contact'] [data-card='{ana}']")).await;
    let (_, c) = api.get(&format!("/creators/{ana}")).await;
    assert_eq!((c["stage"].as_str(), c["do_not_contact"].as_bool()), (Some("qualified"), Some(true)));

    b.quit(&mut driver).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playbook_preview_follows_what_is_typed() {
    let _turn = ONE_BROWSER.lock().await;
    let Some((mut driver, b, _profile)) = open_browser().await else { return };
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let owner = app.workspace("Playbook Studio", Role::Owner).await;
    let api = app.api(&app.key(owner.workspace, "write").await);
    let accounts = json!([{"platform": "instagram", "handle": "@anacooks", "followers": 5000}]);
    api.creator(json!({"display_name": "Ana <b>&</b> Lima", "social_accounts": accounts})).await;
    sign_in(&b, &app, &owner).await;
    b.goto(&app.url("/playbook/new")).await;

    // No button pressed: the preview follows the typing, and the name shows as typed, not as markup.
    b.type_into("#f-subject", "Hi {{ creator.first_name }}").await;
    b.type_into("#f-body", "Dear {{ creator.name }} (@{{ creator.handle }})").await;
    wait_for("the live preview", STEP, || async {
        let t = b.try_text("#preview .preview-text").await.map_err(|e| e.to_string())?;
        if t == "Dear Ana <b>&</b> Lima (@anacooks)" { Ok(()) } else { Err(format!("preview: {t}")) }
    })
    .await;
    assert_eq!(b.text("#preview .preview-subject strong").await, "Hi Ana");
    b.type_into("#f-body", " {{ creator.nmae }}").await;
    wait_for_text(&b, "the unknown field named in the preview", "which is not a merge field").await;
    assert!(b.current_url().await.unwrap().ends_with("/playbook/new"), "nothing was submitted");

    b.quit(&mut driver).await;
}
