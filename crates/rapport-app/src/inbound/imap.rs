//! Polling workspaces' IMAP mailboxes. Each `rapport serve` process runs [`run`]; a poll
//! takes a lease on the mailbox so one process reads it at a time, fetches the messages
//! after the last UID read (without marking them seen), files each through
//! [`super::receive`], and records how far it got. A changed UIDVALIDITY means the folder
//! was rebuilt: it is read again from the start, and Message-IDs keep that from filing
//! anything twice.

use super::{Filed, receive};
use crate::App;
use crate::error::{AppError, AppResult};
use async_imap::Client;
use futures_util::TryStreamExt;
use rapport_core::actor::now;
use rapport_store::inbound::{self as store, MailboxRow};
use std::sync::Arc;
use std::time::Duration as StdDuration;
use time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// How the poller paces itself.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    /// How often a process looks for a mailbox that is due.
    pub tick: StdDuration,
    /// Connect and command timeout.
    pub timeout: StdDuration,
}

impl Default for ImapConfig {
    fn default() -> Self {
        ImapConfig { tick: StdDuration::from_secs(5), timeout: StdDuration::from_secs(60) }
    }
}

/// Runs forever: polls each mailbox whose interval has passed.
pub async fn run(app: App) {
    loop {
        loop {
            match poll_next(&app).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    tracing::error!(error = %e, "mailbox polling failed");
                    break;
                }
            }
        }
        tokio::time::sleep(app.config.imap.tick).await;
    }
}

/// Polls one due mailbox; `false` when none was due.
pub async fn poll_next(app: &App) -> AppResult<bool> {
    let claimed = {
        let mut tx = app.db.begin().await?;
        let at = now();
        let lease = Duration::try_from(app.config.imap.timeout).unwrap_or(Duration::minutes(1)) * 3;
        let m = store::claim_mailbox(&mut tx.conn(), at, at + lease).await?;
        tx.commit().await?;
        m
    };
    let Some(m) = claimed else { return Ok(false) };
    let (last_uid, validity, error) = match poll(app, &m).await {
        Ok((uid, validity)) => (uid, validity, None),
        Err((uid, validity, e)) => {
            tracing::warn!(workspace = %m.workspace_id, error = %e, "mailbox poll failed");
            (uid, validity, Some(e))
        }
    };
    let mut tx = app.db.begin().await?;
    store::finish_poll(&mut tx.conn(), m.workspace_id, last_uid, validity, error, now()).await?;
    tx.commit().await?;
    Ok(true)
}

type PollResult = Result<(i64, Option<i64>), (i64, Option<i64>, String)>;

async fn poll(app: &App, m: &MailboxRow) -> PollResult {
    let fail = |e: String| (m.last_uid, m.uid_validity, e);
    let timeout = app.config.imap.timeout;
    let tcp = tokio::time::timeout(timeout, TcpStream::connect((m.host.as_str(), m.port as u16)))
        .await
        .map_err(|_| fail("timed out connecting to the IMAP server".into()))?
        .map_err(|e| fail(format!("could not reach the IMAP server: {e}")))?;
    let fetched = if m.security == "none" {
        tokio::time::timeout(timeout, fetch_new(tcp, m)).await
    } else {
        let tls = tls_connect(tcp, &m.host).await.map_err(|e| fail(e.to_string()))?;
        tokio::time::timeout(timeout, fetch_new(tls, m)).await
    };
    let (validity, messages) = fetched
        .map_err(|_| fail("the IMAP server stopped answering".into()))?
        .map_err(|e| fail(format!("IMAP: {e}")))?;
    let reset = validity.is_some() && validity != m.uid_validity;
    let mut last = if reset { 0 } else { m.last_uid };
    for (uid, raw) in messages {
        match receive(app, m.workspace_id, &raw, "imap").await {
            Ok(Filed::Unreadable) => {
                tracing::warn!(workspace = %m.workspace_id, uid, "skipped a message that is not an email")
            }
            Ok(_) => {}
            Err(e) => return Err((last, validity, format!("filing message {uid} failed: {e}"))),
        }
        last = last.max(uid);
    }
    Ok((last, validity))
}

/// Logs in, selects the folder and fetches every message after the last UID read (all of
/// them when the folder's UIDVALIDITY changed), in UID order.
async fn fetch_new<T>(stream: T, m: &MailboxRow) -> Result<(Option<i64>, Vec<(i64, Vec<u8>)>), async_imap::error::Error>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut client = Client::new(stream);
    client.read_response().await?;
    let mut session = client.login(&m.username, &m.password).await.map_err(|(e, _)| e)?;
    let folder = session.select(&m.folder).await?;
    let validity = folder.uid_validity.map(i64::from);
    let from = if validity.is_some() && validity != m.uid_validity { 1 } else { m.last_uid + 1 };
    let mut out = Vec::new();
    {
        let mut fetches = session.uid_fetch(format!("{from}:*"), "(UID BODY.PEEK[])").await?;
        while let Some(f) = fetches.try_next().await? {
            // `n:*` also answers the newest message when there is nothing at or after n.
            if let (Some(uid), Some(body)) = (f.uid, f.body())
                && i64::from(uid) >= from
            {
                out.push((i64::from(uid), body.to_vec()));
            }
        }
    }
    session.logout().await?;
    out.sort_by_key(|(uid, _)| *uid);
    Ok((validity, out))
}

async fn tls_connect(tcp: TcpStream, host: &str) -> AppResult<tokio_rustls::client::TlsStream<TcpStream>> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| AppError::Internal(format!("TLS set-up failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| AppError::Internal(format!("{host} is not a valid TLS server name")))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| AppError::Internal(format!("TLS handshake with the IMAP server failed: {e}")))
}
