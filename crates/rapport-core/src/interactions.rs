//! Interactions with a creator: the channels (email, DM, call, meeting, other), the two
//! directions (`inbound` from the creator, `outbound` from us) and the rules for when one
//! happened (UTC, never in the future).

use crate::validation::Invalid;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $slug:literal, $label:literal;)* } $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable lower-case name used in the API and the database.
            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),* }
            }

            /// The name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            /// Parses the slug (case-insensitive), with a message listing the accepted ones.
            pub fn parse(s: &str) -> Result<$name, String> {
                let s = s.trim().to_ascii_lowercase();
                match s.as_str() {
                    $($slug => Ok($name::$variant),)*
                    _ => Err(format!(concat!("must be one of {} (the ", $what, ")"),
                        [$($slug),*].join(", "))),
                }
            }
        }
    };
}

text_enum!(
    /// How we talked.
    Channel {
        Email => "email", "Email";
        Dm => "dm", "Direct message";
        Call => "call", "Call";
        Meeting => "meeting", "Meeting";
        Other => "other", "Other";
    } "channel"
);

text_enum!(
    /// Who spoke: `inbound` is the creator reaching us, `outbound` is us reaching them.
    Direction {
        Inbound => "inbound", "From the creator";
        Outbound => "outbound", "From us";
    } "direction"
);

/// How far ahead of our clock a time may be and still count as "now" (clock skew of the
/// client that sent it).
pub const FUTURE_TOLERANCE: Duration = Duration::minutes(2);

/// Parses when an interaction happened: RFC 3339 (`2026-03-31T14:05:00Z`, any offset,
/// converted to UTC) or a form's `YYYY-MM-DDTHH:MM[:SS]`, read as UTC. Blank means `now`.
/// A time in the future is refused: an interaction is logged after it happened.
pub fn occurred_at(errors: &mut Invalid, field: &str, value: Option<&str>, now: OffsetDateTime) -> OffsetDateTime {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return now };
    let parsed = OffsetDateTime::parse(v, &Rfc3339).ok().or_else(|| {
        let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        let local_s = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        PrimitiveDateTime::parse(v, &local)
            .or_else(|_| PrimitiveDateTime::parse(v, &local_s))
            .ok()
            .map(PrimitiveDateTime::assume_utc)
    });
    match parsed.map(|t| t.to_offset(time::UtcOffset::UTC)) {
        None => {
            errors.add(field, "must be a date and time such as 2026-03-31T14:05:00Z");
            now
        }
        Some(t) if t > now + FUTURE_TOLERANCE => {
            errors.add(field, "must not be in the future");
            now
        }
        Some(t) => t.replace_nanosecond(t.microsecond() * 1000).unwrap_or(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-31 12:00 UTC);

    #[test]
    fn channels_and_directions_parse_their_slugs_and_name_the_choices() {
        assert_eq!(Channel::parse(" DM "), Ok(Channel::Dm));
        assert_eq!(Direction::parse("outbound"), Ok(Direction::Outbound));
        let err = Channel::parse("fax").unwrap_err();
        assert!(err.contains("email, dm, call, meeting, other"), "{err}");
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.slug()), Ok(*c));
        }
    }

    #[test]
    fn occurred_at_reads_rfc3339_and_form_times_as_utc() {
        let cases = [
            (None, NOW),
            (Some(""), NOW),
            (Some("2026-03-30T09:15:00+02:00"), datetime!(2026-03-30 07:15 UTC)),
            (Some("2026-03-30T09:15"), datetime!(2026-03-30 09:15 UTC)),
            (Some("2026-03-30T09:15:30"), datetime!(2026-03-30 09:15:30 UTC)),
            (Some("2026-03-31T12:01:00Z"), datetime!(2026-03-31 12:01 UTC)),
        ];
        for (input, want) in cases {
            let mut e = Invalid::new();
            assert_eq!(occurred_at(&mut e, "occurred_at", input, NOW), want, "{input:?}");
            assert!(e.is_empty(), "{input:?}: {e:?}");
        }
    }

    #[test]
    fn occurred_at_refuses_the_future_and_unreadable_times() {
        for (input, message) in [
            ("2026-04-01T12:00:00Z", "must not be in the future"),
            ("2026-03-31T12:03", "must not be in the future"),
            ("yesterday", "must be a date and time such as 2026-03-31T14:05:00Z"),
            ("31/03/2026 10:00", "must be a date and time such as 2026-03-31T14:05:00Z"),
        ] {
            let mut e = Invalid::new();
            occurred_at(&mut e, "occurred_at", Some(input), NOW);
            assert_eq!(e.message_for("occurred_at"), Some(message), "{input}");
        }
    }
}
