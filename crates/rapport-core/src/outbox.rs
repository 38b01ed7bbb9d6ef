//! The rules of sending email: how an SMTP reply decides between retrying and giving up,
//! the retry schedule, the per-sender hourly throttle, stable Message-IDs, the SMTP
//! settings a workspace may save, and the outreach lock that asks a teammate to confirm
//! before writing to someone else's creator or to a creator contacted very recently.

use crate::Invalid;
use crate::validation::{optional_text, required_text};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How many delivery attempts a message gets before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// Default messages per sender per hour.
pub const DEFAULT_MAX_PER_HOUR: i64 = 60;
/// Default outreach-lock window: a creator contacted within this many days needs an override.
pub const DEFAULT_LOCK_DAYS: i64 = 14;

/// What a failed delivery attempt means for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A 4xx reply, a refused connection or a timeout: try again later.
    Temporary,
    /// A 5xx reply: the server will never take it; do not retry.
    Permanent,
}

/// Classifies an SMTP reply code (RFC 5321 §4.2.1); `None` means no reply at all (the
/// server was unreachable or the connection dropped), which is worth retrying.
pub fn classify(code: Option<u16>) -> Failure {
    match code {
        Some(c) if (500..600).contains(&c) => Failure::Permanent,
        _ => Failure::Temporary,
    }
}

/// Delay before attempt `attempts + 1` after `attempts` failures: `base` doubling each
/// time, capped at six hours (with a one-minute base: 1, 2, 4 … 64 min, then 2 h, 4 h).
pub fn backoff(base: Duration, attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    let delay = base * 2_i32.pow(doublings as u32);
    delay.min(Duration::hours(6))
}

/// When a sender who already sent `sent_in_window` messages in the last hour (the oldest
/// of them at `oldest_in_window`) may send the next one: now while under the limit,
/// otherwise when the oldest leaves the window.
pub fn throttle_until(
    now: OffsetDateTime,
    max_per_hour: i64,
    sent_in_window: i64,
    oldest_in_window: Option<OffsetDateTime>,
) -> Option<OffsetDateTime> {
    if sent_in_window < max_per_hour {
        return None;
    }
    Some(oldest_in_window.map_or(now + Duration::hours(1), |t| t + Duration::hours(1)).max(now))
}

/// The Message-ID of an outbox message: derived from its id, so a resend after a crash
/// carries the same id and the receiving side can recognise the duplicate.
pub fn message_id(outbox_id: Uuid, from_email: &str) -> String {
    let domain = from_email.rsplit_once('@').map_or("rapport.invalid", |(_, d)| d);
    format!("<{}@{}>", outbox_id.simple(), domain.to_ascii_lowercase())
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587); refuses to send without it.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption — only for a relay on the same host or a test server.
    None,
}

impl Security {
    pub fn parse(s: &str) -> Option<Security> {
        match s {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "none" => Some(Security::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }
}

/// A workspace's SMTP server and defaults, as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub host: Option<String>,
    pub port: Option<i64>,
    pub security: Option<String>,
    pub username: Option<String>,
    /// Write-only; `None` keeps the stored password, an empty string removes it.
    pub password: Option<String>,
    pub from_name: Option<String>,
    pub from_email: Option<String>,
    pub max_per_hour: Option<i64>,
    pub lock_days: Option<i64>,
}

/// Valid SMTP settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_name: String,
    pub from_email: String,
    pub max_per_hour: i64,
    pub lock_days: i64,
}

impl SettingsInput {
    /// Validates every field; `stored_password` is kept when no new one is given.
    pub fn validate(&self, stored_password: Option<String>) -> Result<Settings, Invalid> {
        let mut e = Invalid::new();
        let host = required_text(&mut e, "host", self.host.as_deref(), 253);
        if host.chars().any(|c| c.is_whitespace() || c == '/' || c == ':') {
            e.add("host", "must be a host name or address, without a scheme or port");
        }
        let security = match self.security.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Security::StartTls,
            Some(s) => Security::parse(s).unwrap_or_else(|| {
                e.add("security", "must be one of starttls, tls, none");
                Security::StartTls
            }),
        };
        let default_port = match security {
            Security::Tls => 465,
            Security::StartTls => 587,
            Security::None => 25,
        };
        let port = match self.port {
            None => default_port,
            Some(p) if (1..=65535).contains(&p) => p as u16,
            Some(_) => {
                e.add("port", "must be between 1 and 65535");
                default_port
            }
        };
        let username = optional_text(&mut e, "username", self.username.as_deref(), 254);
        let password = match self.password.as_deref() {
            None => stored_password,
            Some("") => None,
            Some(p) if p.len() > 1024 => {
                e.add("password", "must be at most 1024 characters");
                None
            }
            Some(p) => Some(p.to_owned()),
        };
        if password.is_some() && username.is_none() {
            e.add("username", "is required when a password is set");
        }
        let from_name = required_text(&mut e, "from_name", self.from_name.as_deref(), 120);
        let from_email = match crate::email::parse(self.from_email.as_deref().unwrap_or("")) {
            Ok(m) => m.value,
            Err(msg) => {
                e.add("from_email", msg);
                String::new()
            }
        };
        let max_per_hour = self.max_per_hour.unwrap_or(DEFAULT_MAX_PER_HOUR);
        if !(1..=10_000).contains(&max_per_hour) {
            e.add("max_per_hour", "must be between 1 and 10000");
        }
        let lock_days = self.lock_days.unwrap_or(DEFAULT_LOCK_DAYS);
        if !(0..=365).contains(&lock_days) {
            e.add("lock_days", "must be between 0 and 365");
        }
        e.into_result(Settings {
            host,
            port,
            security,
            username,
            password,
            from_name,
            from_email,
            max_per_hour,
            lock_days,
        })
    }
}

/// Why a send to a creator needs an explicit, logged override.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LockReason {
    /// `owned_by_other` or `recently_contacted`.
    pub code: String,
    pub message: String,
}

/// The outreach lock: a creator owned by another member, or contacted by anyone within
/// `lock_days`, is locked for this sender.
pub fn lock_reasons(
    sender: Option<Uuid>,
    owner: Option<(Uuid, &str)>,
    last_contact: Option<OffsetDateTime>,
    lock_days: i64,
    now: OffsetDateTime,
) -> Vec<LockReason> {
    let mut reasons = Vec::new();
    if let Some((owner_id, owner_name)) = owner
        && sender != Some(owner_id)
    {
        reasons.push(LockReason { code: "owned_by_other".into(), message: format!("{owner_name} owns this creator") });
    }
    if let Some(t) = last_contact
        && lock_days > 0
        && now - t < Duration::days(lock_days)
    {
        let days = (now - t).whole_days();
        let ago = match days {
            0 => "today".to_string(),
            1 => "yesterday".to_string(),
            d => format!("{d} days ago"),
        };
        reasons.push(LockReason {
            code: "recently_contacted".into(),
            message: format!("this creator was last contacted {ago} (the lock is {lock_days} days)"),
        });
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn replies_in_the_five_hundreds_are_permanent_and_everything_else_is_retried() {
        assert_eq!(classify(Some(550)), Failure::Permanent);
        assert_eq!(classify(Some(554)), Failure::Permanent);
        assert_eq!(classify(Some(421)), Failure::Temporary);
        assert_eq!(classify(Some(451)), Failure::Temporary);
        assert_eq!(classify(None), Failure::Temporary);
    }

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_six_hours() {
        let m = Duration::minutes(1);
        assert_eq!(backoff(m, 1), Duration::minutes(1));
        assert_eq!(backoff(m, 2), Duration::minutes(2));
        assert_eq!(backoff(m, 4), Duration::minutes(8));
        assert_eq!(backoff(m, 12), Duration::hours(6));
        assert_eq!(backoff(m, 0), Duration::minutes(1));
    }

    #[test]
    fn a_sender_at_the_hourly_limit_waits_until_the_oldest_send_leaves_the_hour() {
        let now = datetime!(2026-11-26 12:00 UTC);
        assert_eq!(throttle_until(now, 3, 2, Some(now - Duration::minutes(50))), None);
        assert_eq!(throttle_until(now, 3, 3, Some(now - Duration::minutes(50))), Some(now + Duration::minutes(10)));
    }

    #[test]
    fn message_ids_are_stable_per_message_and_use_the_sender_domain() {
        let id = Uuid::now_v7();
        assert_eq!(message_id(id, "lena@Brand.example"), message_id(id, "lena@brand.example"));
        assert!(message_id(id, "lena@brand.example").ends_with("@brand.example>"));
        assert_ne!(message_id(id, "a@b.example"), message_id(Uuid::now_v7(), "a@b.example"));
    }

    #[test]
    fn settings_name_each_bad_field() {
        let input = SettingsInput {
            host: Some("smtp://x".into()),
            port: Some(70000),
            security: Some("ssl".into()),
            password: Some("pw".into()),
            from_email: Some("nope".into()),
            max_per_hour: Some(0),
            lock_days: Some(-1),
            ..Default::default()
        };
        let err = input.validate(None).unwrap_err();
        for f in ["host", "port", "security", "username", "from_name", "from_email", "max_per_hour", "lock_days"] {
            assert!(err.message_for(f).is_some(), "{f}: {err:?}");
        }
    }

    #[test]
    fn a_blank_password_keeps_the_stored_one_and_an_empty_one_removes_it() {
        let base = SettingsInput {
            host: Some("smtp.example.com".into()),
            username: Some("u".into()),
            from_name: Some("Brand".into()),
            from_email: Some("team@brand.example".into()),
            ..Default::default()
        };
        let kept = base.validate(Some("old".into())).unwrap();
        assert_eq!(kept.password.as_deref(), Some("old"));
        assert_eq!(kept.port, 587);
        let removed = SettingsInput { password: Some(String::new()), ..base }.validate(Some("old".into())).unwrap();
        assert_eq!(removed.password, None);
    }

    #[test]
    fn the_lock_names_another_owner_and_a_recent_contact() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let me = Uuid::now_v7();
        let other = Uuid::now_v7();
        assert!(lock_reasons(Some(me), Some((me, "Me")), None, 14, now).is_empty());
        let r = lock_reasons(Some(me), Some((other, "Sam")), Some(now - Duration::days(3)), 14, now);
        assert_eq!(r.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["owned_by_other", "recently_contacted"]);
        assert!(r[0].message.contains("Sam"));
        assert!(r[1].message.contains("3 days ago"));
        assert!(lock_reasons(Some(me), None, Some(now - Duration::days(20)), 14, now).is_empty());
        assert!(lock_reasons(Some(me), None, Some(now - Duration::hours(1)), 0, now).is_empty());
    }
}
