//! Responsiveness and the next-touch cadence, computed from a creator's interactions (one
//! definition, used by the creator page, the API and the home dashboard).
//!
//! Over the interactions in time order:
//! - **Last contact** is the latest interaction in either direction.
//! - **Creator reply time**: for each inbound interaction that follows one or more outbound
//!   ones since the previous inbound, the time from the *first* of those unanswered outbound
//!   interactions to that inbound one. (Two follow-ups and then a reply count once, from the
//!   first message.)
//! - **Our reply time**, likewise: from the first unanswered inbound interaction to our next
//!   outbound one.
//! - The figures shown are the **medians** of those times (the mean of the two middle ones
//!   for an even count); with no reply there is no figure ("—").
//! - **Next touch** (with a cadence of N days): the day of the last contact, or of the
//!   creator's creation when there has been none, plus N days. It is **overdue** once that
//!   day is before today (UTC).

use crate::interactions::Direction;
use time::{Date, Duration, OffsetDateTime};

/// One interaction as responsiveness sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touch {
    pub direction: Direction,
    pub at: OffsetDateTime,
}

/// The responsiveness figures of one creator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    pub last_contact: Option<OffsetDateTime>,
    /// Median time the creator took to answer us.
    pub creator_median: Option<Duration>,
    /// How many creator replies the median is over.
    pub creator_replies: usize,
    /// Median time we took to answer the creator.
    pub our_median: Option<Duration>,
    pub our_replies: usize,
}

/// The latest interaction in either direction.
pub fn last_contact(touches: &[Touch]) -> Option<OffsetDateTime> {
    touches.iter().map(|t| t.at).max()
}

fn sorted(touches: &[Touch]) -> Vec<Touch> {
    let mut v = touches.to_vec();
    v.sort_by_key(|t| t.at);
    v
}

/// Reply times of the side that answers `asked` with `answered` (see the module docs).
fn reply_times(touches: &[Touch], asked: Direction, answered: Direction) -> Vec<Duration> {
    let mut out = vec![];
    let mut waiting_since: Option<OffsetDateTime> = None;
    for t in sorted(touches) {
        if t.direction == asked {
            waiting_since.get_or_insert(t.at);
        } else if t.direction == answered
            && let Some(since) = waiting_since.take()
        {
            out.push(t.at - since);
        }
    }
    out
}

/// How long the creator took to answer each run of our unanswered messages.
pub fn creator_reply_times(touches: &[Touch]) -> Vec<Duration> {
    reply_times(touches, Direction::Outbound, Direction::Inbound)
}

/// How long we took to answer each run of the creator's unanswered messages.
pub fn our_reply_times(touches: &[Touch]) -> Vec<Duration> {
    reply_times(touches, Direction::Inbound, Direction::Outbound)
}

/// The median duration; the mean of the two middle ones for an even count; `None` when empty.
pub fn median(times: &[Duration]) -> Option<Duration> {
    let mut v = times.to_vec();
    v.sort();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2),
    }
}

/// Every figure at once.
pub fn figures(touches: &[Touch]) -> Figures {
    let theirs = creator_reply_times(touches);
    let ours = our_reply_times(touches);
    Figures {
        last_contact: last_contact(touches),
        creator_median: median(&theirs),
        creator_replies: theirs.len(),
        our_median: median(&ours),
        our_replies: ours.len(),
    }
}

/// A duration in words for people: "—" for none, "under a minute", "45 min", "3 h 20 min",
/// "2 d 4 h".
pub fn duration_text(d: Option<Duration>) -> String {
    let Some(d) = d else { return "—".into() };
    let mins = d.whole_minutes();
    let (days, hours, minutes) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => "under a minute".into(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// The longest cadence, in days (ten years).
pub const MAX_CADENCE_DAYS: i64 = 3650;

/// When the next touch is due: the last contact's day (or the creation day) plus the cadence.
pub fn next_touch_due(every_days: i64, last_contact: Option<OffsetDateTime>, created_at: OffsetDateTime) -> Date {
    let base = last_contact.unwrap_or(created_at).date();
    base.checked_add(Duration::days(every_days)).unwrap_or(Date::MAX)
}

/// Whether a touch due on `due` is overdue on `today`.
pub fn is_overdue(due: Date, today: Date) -> bool {
    due < today
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{Inbound as In, Outbound as Out};
    use time::macros::{date, datetime};

    const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

    /// Touches at `T0 + hours`.
    fn seq(items: &[(Direction, i64)]) -> Vec<Touch> {
        items.iter().map(|(d, h)| Touch { direction: *d, at: T0 + Duration::hours(*h) }).collect()
    }

    fn hours(v: &[Duration]) -> Vec<i64> {
        v.iter().map(|d| d.whole_hours()).collect()
    }

    #[test]
    fn reply_times_follow_the_definition() {
        /// A sequence of (direction, hour), the creator's reply hours, ours.
        type Case<'a> = (&'a [(Direction, i64)], &'a [i64], &'a [i64]);
        let cases: &[Case] = &[
            (&[], &[], &[]),
            (&[(Out, 0)], &[], &[]),
            (&[(Out, 0), (In, 5)], &[5], &[]),
            (&[(In, 0), (Out, 3)], &[], &[3]),
            // Two follow-ups, then a reply: counted once, from the first message.
            (&[(Out, 0), (Out, 24), (In, 30)], &[30], &[]),
            // Two inbound in a row: the second answers nothing.
            (&[(Out, 0), (In, 2), (In, 4)], &[2], &[]),
            // A conversation back and forth.
            (&[(Out, 0), (In, 10), (Out, 12), (In, 13), (Out, 20)], &[10, 1], &[2, 7]),
            // Order of the input does not matter.
            (&[(In, 10), (Out, 0)], &[10], &[]),
        ];
        for (items, theirs, ours) in cases {
            let t = seq(items);
            assert_eq!(hours(&creator_reply_times(&t)), *theirs, "creator replies of {items:?}");
            assert_eq!(hours(&our_reply_times(&t)), *ours, "our replies of {items:?}");
        }
    }

    #[test]
    fn the_median_takes_the_middle_or_the_mean_of_the_two_middle_values() {
        let h = |v: &[i64]| v.iter().map(|x| Duration::hours(*x)).collect::<Vec<_>>();
        let cases: &[(&[i64], Option<Duration>)] = &[
            (&[], None),
            (&[7], Some(Duration::hours(7))),
            (&[9, 1, 5], Some(Duration::hours(5))),
            (&[1, 2, 4, 10], Some(Duration::hours(3))),
            (&[1, 2], Some(Duration::minutes(90))),
        ];
        for (input, want) in cases {
            assert_eq!(median(&h(input)), *want, "{input:?}");
        }
    }

    #[test]
    fn figures_combine_last_contact_and_both_medians() {
        let f = figures(&seq(&[(Out, 0), (In, 4), (Out, 5), (Out, 6), (In, 11), (Out, 12)]));
        assert_eq!(f.last_contact, Some(T0 + Duration::hours(12)));
        assert_eq!((f.creator_median, f.creator_replies), (Some(Duration::hours(5)), 2));
        assert_eq!((f.our_median, f.our_replies), (Some(Duration::minutes(60)), 2));
        assert_eq!(figures(&[]), Figures::default());
    }

    #[test]
    fn durations_read_in_minutes_hours_and_days() {
        let cases = [
            (None, "—"),
            (Some(Duration::seconds(20)), "under a minute"),
            (Some(Duration::minutes(45)), "45 min"),
            (Some(Duration::hours(3)), "3 h"),
            (Some(Duration::minutes(200)), "3 h 20 min"),
            (Some(Duration::hours(48)), "2 d"),
            (Some(Duration::hours(52) + Duration::minutes(10)), "2 d 4 h"),
        ];
        for (d, want) in cases {
            assert_eq!(duration_text(d), want);
        }
    }

    #[test]
    fn the_next_touch_is_due_a_cadence_after_the_last_contact_or_the_creation() {
        let created = datetime!(2026-01-10 18:00 UTC);
        let cases = [
            (7, None, date!(2026 - 01 - 17)),
            (7, Some(datetime!(2026-03-01 23:30 UTC)), date!(2026 - 03 - 08)),
            (30, Some(datetime!(2026-03-01 00:00 UTC)), date!(2026 - 03 - 31)),
        ];
        for (n, last, want) in cases {
            assert_eq!(next_touch_due(n, last, created), want, "{n} days after {last:?}");
        }
        let due = date!(2026 - 03 - 08);
        assert!(!is_overdue(due, date!(2026 - 03 - 08)), "due today is not overdue yet");
        assert!(is_overdue(due, date!(2026 - 03 - 09)));
    }
}
