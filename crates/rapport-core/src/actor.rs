//! Who did something: a user, an API key, an import, the system, a creator in their
//! portal, or a reviewer through a share link. Stored as `kind:uuid` text on every row's
//! `created_by` and on timeline events.

use crate::ids::{ApiKeyId, CreatorId, ReviewLinkId, UserId};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    ApiKey(ApiKeyId),
    Import,
    System,
    /// A creator signed in to the portal.
    Creator(CreatorId),
    /// Someone without an account reviewing through a share link.
    ReviewLink(ReviewLinkId),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{}", id.0),
            Actor::ApiKey(id) => write!(f, "api_key:{}", id.0),
            Actor::Import => f.write_str("import"),
            Actor::System => f.write_str("system"),
            Actor::Creator(id) => write!(f, "creator:{}", id.0),
            Actor::ReviewLink(id) => write!(f, "review_link:{}", id.0),
        }
    }
}

impl Actor {
    /// Parses the stored form; unknown text reads as the system.
    pub fn parse(s: &str) -> Actor {
        let uuid = |rest: &str| uuid::Uuid::try_parse(rest).ok();
        match s.split_once(':') {
            Some(("user", rest)) => uuid(rest).map_or(Actor::System, |u| Actor::User(UserId(u))),
            Some(("api_key", rest)) => uuid(rest).map_or(Actor::System, |u| Actor::ApiKey(ApiKeyId(u))),
            Some(("creator", rest)) => uuid(rest).map_or(Actor::System, |u| Actor::Creator(CreatorId(u))),
            Some(("review_link", rest)) => uuid(rest).map_or(Actor::System, |u| Actor::ReviewLink(ReviewLinkId(u))),
            _ if s == "import" => Actor::Import,
            _ => Actor::System,
        }
    }

    /// Whether this is someone outside the team (a creator or an external reviewer).
    pub fn is_outside(&self) -> bool {
        matches!(self, Actor::Creator(_) | Actor::ReviewLink(_))
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::User(u) => Some(*u),
            _ => None,
        }
    }
}

/// The current time in UTC, truncated to microseconds so that it survives a round trip
/// through either database unchanged.
pub fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    let micros = t.microsecond();
    t.replace_nanosecond(micros * 1000).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_through_their_stored_form() {
        for a in [
            Actor::User(UserId::new()),
            Actor::ApiKey(ApiKeyId::new()),
            Actor::Import,
            Actor::System,
            Actor::Creator(CreatorId::new()),
            Actor::ReviewLink(ReviewLinkId::new()),
        ] {
            assert_eq!(Actor::parse(&a.to_string()), a);
        }
    }

    #[test]
    fn now_has_no_sub_microsecond_part() {
        assert_eq!(now().nanosecond() % 1000, 0);
    }
}
