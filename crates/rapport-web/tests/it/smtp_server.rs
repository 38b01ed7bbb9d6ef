//! An SMTP server on loopback for the email tests, started by the test itself: it speaks
//! the ESMTP that a client needs (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET,
//! NOOP, QUIT) over a real TCP socket, keeps every message it accepts, and can be told to
//! answer the next RCPT commands with a given reply (a 451 or a 550) to test retries, and
//! require AUTH PLAIN with given credentials.

use base64::Engine;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as transmitted (headers and body).
    pub data: String,
}

impl Received {
    /// A header's value (unfolded), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for line in self.data.lines() {
            if line.is_empty() {
                break;
            }
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(v) = out.as_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            if out.is_some() {
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                out = Some(v.trim().to_string());
            }
        }
        out
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    rcpt_replies: VecDeque<String>,
    connections: usize,
    /// When set, MAIL needs a successful AUTH PLAIN with these (user, password).
    login: Option<(String, String)>,
    /// The (user, password) pairs clients authenticated with.
    auths: Vec<(String, String)>,
}

pub struct SmtpServer {
    pub port: u16,
    inner: Arc<Mutex<Inner>>,
    task: JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback port that nothing listens on (a server that is down).
pub async fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let shared = inner.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.lock().unwrap().connections += 1;
                let s = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, s).await;
                });
            }
        });
        SmtpServer { port, inner, task }
    }

    /// Answers the next RCPT command with `reply` (e.g. `451 4.3.0 try again later`).
    pub fn reply_to_next_rcpt(&self, reply: &str) {
        self.inner.lock().unwrap().rcpt_replies.push_back(reply.to_string());
    }

    /// Requires AUTH PLAIN with this user and password before MAIL.
    pub fn require_login(&self, user: &str, password: &str) {
        self.inner.lock().unwrap().login = Some((user.to_string(), password.to_string()));
    }

    /// The (user, password) pairs clients authenticated with.
    pub fn auths(&self) -> Vec<(String, String)> {
        self.inner.lock().unwrap().auths.clone()
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    pub fn connections(&self) -> usize {
        self.inner.lock().unwrap().connections
    }

    /// Waits (up to 15 s) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} message(s), the SMTP server got {}", self.received().len());
    }
}

fn address(arg: &str) -> String {
    let a = arg.split_once(':').map_or(arg, |(_, v)| v).trim();
    let a = a.split_whitespace().next().unwrap_or("");
    a.trim_start_matches('<').trim_end_matches('>').to_string()
}

async fn session(stream: TcpStream, inner: Arc<Mutex<Inner>>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r);
    w.write_all(b"220 localhost ESMTP rapport-test\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut authed = false;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let verb = cmd.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-localhost\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 PIPELINING".into(),
            "AUTH" => {
                let arg = cmd.split_whitespace().nth(2).unwrap_or("");
                let decoded = base64::engine::general_purpose::STANDARD.decode(arg).unwrap_or_default();
                let parts: Vec<String> =
                    decoded.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
                let (user, pw) = (parts.get(1).cloned().unwrap_or_default(), parts.get(2).cloned().unwrap_or_default());
                let mut state = inner.lock().unwrap();
                state.auths.push((user.clone(), pw.clone()));
                if state.login.as_ref().is_none_or(|(u, p)| *u == user && *p == pw) {
                    authed = true;
                    "235 2.7.0 authenticated".into()
                } else {
                    "535 5.7.8 authentication credentials invalid".into()
                }
            }
            "MAIL" if !authed && inner.lock().unwrap().login.is_some() => "530 5.7.0 authentication required".into(),
            "HELO" | "NOOP" => "250 OK".into(),
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                "250 OK".into()
            }
            "MAIL" => {
                from = address(&cmd);
                to.clear();
                "250 OK".into()
            }
            "RCPT" => match inner.lock().unwrap().rcpt_replies.pop_front() {
                Some(r) => r,
                None => {
                    to.push(address(&cmd));
                    "250 OK".into()
                }
            },
            "DATA" if to.is_empty() => "554 no valid recipients".into(),
            "DATA" => {
                w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let msg = Received { from: from.clone(), to: to.clone(), data };
                inner.lock().unwrap().received.push(msg);
                "250 2.0.0 queued".into()
            }
            "QUIT" => {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 command not implemented".into(),
        };
        w.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}
