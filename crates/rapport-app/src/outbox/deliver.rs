//! The delivery worker: claims due messages from the outbox, checks again that they may go
//! (suppression and do not contact for outreach, the sender's hourly throttle), hands them to the
//! workspace's SMTP server through lettre, and records the outcome — sent (with a timeline
//! event), retried with backoff after a temporary failure, or failed after a permanent one.
//! Several workers (processes) may run on one database; a claim is a lease, so a message
//! held by a crashed worker is taken again and resent under the same Message-ID.

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::interactions::{self, NewInteraction};
use crate::mail_settings::parse_row;
use crate::timeline;
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rapport_core::actor::{Actor, now};
use rapport_core::ids::CreatorId;
use rapport_core::ids::WorkspaceId;
use rapport_core::inbound::bare_id;
use rapport_core::interactions::{Channel, Direction};
use rapport_core::outbox::{self as rules, Failure, Security, Settings};
use rapport_store::outbox::{self as store, OutboxRow, Outcome};
use rapport_store::{creators, mail_settings, suppressions};
use std::time::Duration as StdDuration;
use time::Duration;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// First retry delay after a temporary failure; doubles per attempt (capped at 6 h).
    pub retry_base: Duration,
    /// How long a claimed message is held before another worker may take it again.
    pub lease: Duration,
    /// Longest sleep between looks at the outbox when nothing wakes the worker.
    pub poll: StdDuration,
    /// Connect and command timeout for the SMTP server.
    pub smtp_timeout: StdDuration,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            retry_base: Duration::minutes(1),
            lease: Duration::minutes(5),
            poll: StdDuration::from_secs(15),
            smtp_timeout: StdDuration::from_secs(30),
        }
    }
}

/// Runs forever: delivers due messages, then sleeps until the next one is due, a new one
/// is queued, or the poll interval passes.
pub async fn run(app: App) {
    loop {
        match deliver_due(&app).await {
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox delivery failed"),
        }
        let wait = next_wait(&app).await;
        tokio::select! {
            _ = app.outbox_wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

async fn next_wait(app: &App) -> StdDuration {
    let poll = app.config.outbox.poll;
    let Ok(mut p) = app.db.read().await else { return poll };
    match store::next_due(&mut p.conn()).await {
        Ok(Some(at)) => {
            let until = at - now();
            if until <= Duration::ZERO {
                StdDuration::from_millis(10)
            } else {
                StdDuration::try_from(until).map_or(poll, |d| d.min(poll))
            }
        }
        _ => poll,
    }
}

/// Delivers every message that is due now; returns how many were taken.
pub async fn deliver_due(app: &App) -> AppResult<usize> {
    let mut taken = 0;
    loop {
        let claimed = {
            let mut tx = app.db.begin().await?;
            let at = now();
            let row = store::claim(&mut tx.conn(), at, at + app.config.outbox.lease).await?;
            tx.commit().await?;
            row
        };
        let Some(msg) = claimed else { return Ok(taken) };
        taken += 1;
        let outcome = attempt(app, &msg).await?;
        finish(app, &msg, outcome).await?;
    }
}

/// Decides and, when it may go, sends one claimed message.
async fn attempt(app: &App, msg: &OutboxRow) -> AppResult<Outcome> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let Some(settings) = mail_settings::get(&mut c, msg.workspace_id).await? else {
        return Ok(Outcome::Failed { error: "the workspace has no SMTP server configured".into() });
    };
    let settings = parse_row(&settings)?;
    let to = msg.to_email.to_lowercase();
    // System emails to members (notifications) are not outreach: the list does not apply.
    let to_member = msg.kind == "transactional" && msg.creator_id.is_none();
    if !to_member && let Some(s) = suppressions::get(&mut c, msg.workspace_id, &to).await? {
        return Ok(Outcome::Failed {
            error: format!("not sent: the address is on the suppression list ({})", s.reason),
        });
    }
    if let Some(creator) = msg.creator_id
        && creators::get(&mut c, msg.workspace_id, creator).await?.is_some_and(|r| r.do_not_contact)
    {
        return Ok(Outcome::Failed { error: "not sent: the creator is marked do not contact".into() });
    }
    let at = now();
    let (sent, oldest) = store::sent_since(&mut c, msg.workspace_id, &msg.from_email, at - Duration::hours(1)).await?;
    if let Some(until) = rules::throttle_until(at, settings.max_per_hour, sent, oldest) {
        return Ok(Outcome::Retry {
            at: until,
            error: format!("throttled: {} messages per hour from this sender", settings.max_per_hour),
            count_attempt: false,
        });
    }
    drop(p);
    let email = build(msg)?;
    let transport = transport(&settings, app.config.outbox.smtp_timeout, &msg.from_email)?;
    Ok(match transport.send(email).await {
        Ok(_) => Outcome::Sent { at: now() },
        Err(e) => {
            let code = e.status().map(u16::from);
            let error = match code {
                Some(c) => format!("the server answered {c}: {e}"),
                None => format!("could not reach the server: {e}"),
            };
            match rules::classify(code) {
                Failure::Permanent => Outcome::Failed { error },
                Failure::Temporary if msg.attempts >= rules::MAX_ATTEMPTS => {
                    Outcome::Failed { error: format!("gave up after {} attempts; {error}", msg.attempts) }
                }
                Failure::Temporary => Outcome::Retry {
                    at: now() + rules::backoff(app.config.outbox.retry_base, msg.attempts),
                    error,
                    count_attempt: true,
                },
            }
        }
    })
}

async fn finish(app: &App, msg: &OutboxRow, outcome: Outcome) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if store::finish(&mut c, msg.id, &outcome).await? == 0 {
        // Another worker took the message over after our lease ran out; it records the end.
        return Ok(());
    }
    if let Some(creator) = msg.creator_id {
        let ctx = Ctx::system(WorkspaceId(msg.workspace_id), Actor::System, "Outbox");
        if let Outcome::Sent { at } = &outcome {
            record_sent(&mut c, &ctx, msg, *at).await?;
        }
        let event = match &outcome {
            Outcome::Sent { .. } => Some(("email.sent", super::change("subject", msg.subject.clone()))),
            Outcome::Failed { error } => Some(("email.failed", super::change("error", error.clone()))),
            Outcome::Retry { .. } => None,
        };
        if let Some((action, change)) = event {
            timeline::record(&mut c, &ctx, creator, action, vec![change]).await?;
        }
    }
    tx.commit().await?;
    match &outcome {
        Outcome::Sent { .. } => tracing::info!(email = %msg.id, "email sent"),
        Outcome::Retry { error, .. } => {
            tracing::warn!(email = %msg.id, attempts = msg.attempts, %error, "email delayed")
        }
        Outcome::Failed { error } => tracing::warn!(email = %msg.id, %error, "email failed"),
    }
    Ok(())
}

/// The sent email on the creator's timeline of interactions (once per Message-ID).
async fn record_sent(
    c: &mut rapport_store::Conn<'_>,
    ctx: &Ctx,
    msg: &OutboxRow,
    at: time::OffsetDateTime,
) -> AppResult<()> {
    let Some(creator) = msg.creator_id else { return Ok(()) };
    let mut new = NewInteraction::new(CreatorId(creator), Channel::Email, Direction::Outbound, msg.body.clone(), at);
    new.subject = Some(msg.subject.clone());
    new.message_id = Some(bare_id(&msg.message_id));
    new.in_reply_to = msg.in_reply_to.as_deref().map(bare_id);
    new.references_ids =
        msg.references_ids.as_deref().map(|r| r.split_whitespace().map(bare_id).collect::<Vec<_>>().join(" "));
    new.participants = Some(format!("{} → {}", msg.from_email, msg.to_email));
    match interactions::record_in_tx(c, ctx, new).await {
        // A creator deleted since the message was queued keeps no new history.
        Ok(_) | Err(AppError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

fn mailbox(name: Option<&str>, address: &str) -> AppResult<Mailbox> {
    let addr = address.parse().map_err(|e| AppError::Internal(format!("bad address in the outbox: {e}")))?;
    Ok(Mailbox::new(name.map(str::to_owned), addr))
}

/// The message as it goes on the wire: plain text, a stable Message-ID, threading headers
/// and, for outreach, the RFC 8058 one-click unsubscribe pair.
pub fn build(msg: &OutboxRow) -> AppResult<Message> {
    let mut b = Message::builder()
        .from(mailbox(Some(&msg.from_name), &msg.from_email)?)
        .to(mailbox(None, &msg.to_email)?)
        .subject(msg.subject.clone())
        .message_id(Some(msg.message_id.clone()))
        .date(std::time::SystemTime::from(msg.created_at));
    if let Some(parent) = &msg.in_reply_to {
        b = b.in_reply_to(parent.clone());
    }
    if let Some(refs) = &msg.references_ids {
        b = b.references(refs.clone());
    }
    let mut m = b
        .header(ContentType::TEXT_PLAIN)
        .body(msg.body.clone())
        .map_err(|e| AppError::Internal(format!("could not build the message: {e}")))?;
    if let Some(url) = &msg.unsubscribe_url {
        let h = m.headers_mut();
        h.insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")));
        h.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ));
    }
    Ok(m)
}

fn transport(settings: &Settings, timeout: StdDuration, from: &str) -> AppResult<AsyncSmtpTransport<Tokio1Executor>> {
    let tls = |host: &str| {
        TlsParameters::new(host.to_owned()).map_err(|e| AppError::Internal(format!("TLS set-up failed: {e}")))
    };
    let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
        .port(settings.port)
        .timeout(Some(timeout))
        .hello_name(ClientId::Domain(domain.to_owned()))
        .tls(match settings.security {
            Security::None => Tls::None,
            Security::StartTls => Tls::Required(tls(&settings.host)?),
            Security::Tls => Tls::Wrapper(tls(&settings.host)?),
        });
    if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
        b = b.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(b.build())
}
