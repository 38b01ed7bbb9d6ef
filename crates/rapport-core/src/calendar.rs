//! The content calendar: which dates of a deliverable become calendar entries (its draft
//! due date and its publish window), the scopes a calendar feed can have, and an
//! iCalendar (RFC 5545) writer for all-day events — TEXT escaping, line folding at 75
//! octets on UTF-8 character boundaries, CRLF line endings.

use time::{Date, Duration, OffsetDateTime};

/// What a calendar entry stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The day the creator's draft is due.
    DraftDue,
    /// The days the content may go live (first to last, inclusive).
    PublishWindow,
}

impl EntryKind {
    pub fn slug(self) -> &'static str {
        match self {
            EntryKind::DraftDue => "draft_due",
            EntryKind::PublishWindow => "publish_window",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::DraftDue => "Draft due",
            EntryKind::PublishWindow => "Publish window",
        }
    }

    /// The event's stable UID: `<deliverable id>-draft@rapport` or `…-publish@rapport`.
    pub fn uid(self, deliverable: &str) -> String {
        let part = match self {
            EntryKind::DraftDue => "draft",
            EntryKind::PublishWindow => "publish",
        };
        format!("{deliverable}-{part}@rapport")
    }
}

/// A deliverable's calendar entries as (kind, first day, last day inclusive): the draft due
/// day, and the publish window (a window with one end only is that one day).
pub fn entries_of(
    draft_due_on: Option<Date>,
    publish_from: Option<Date>,
    publish_until: Option<Date>,
) -> Vec<(EntryKind, Date, Date)> {
    let mut out = Vec::with_capacity(2);
    if let Some(d) = draft_due_on {
        out.push((EntryKind::DraftDue, d, d));
    }
    let window = match (publish_from, publish_until) {
        (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
        (Some(a), None) | (None, Some(a)) => Some((a, a)),
        (None, None) => None,
    };
    if let Some((a, b)) = window {
        out.push((EntryKind::PublishWindow, a, b));
    }
    out
}

/// What a calendar feed covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedScope {
    Workspace,
    Campaign,
    Creator,
}

impl FeedScope {
    pub const ALL: [FeedScope; 3] = [FeedScope::Workspace, FeedScope::Campaign, FeedScope::Creator];

    pub fn slug(self) -> &'static str {
        match self {
            FeedScope::Workspace => "workspace",
            FeedScope::Campaign => "campaign",
            FeedScope::Creator => "creator",
        }
    }

    pub fn parse(s: &str) -> Option<FeedScope> {
        Self::ALL.into_iter().find(|f| f.slug() == s.trim().to_ascii_lowercase())
    }
}

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    /// When the information last changed (DTSTAMP and LAST-MODIFIED).
    pub stamp: OffsetDateTime,
    pub first_day: Date,
    /// Included; written as the exclusive DTEND of the next day.
    pub last_day: Date,
    pub summary: String,
    pub description: Option<String>,
    /// An absolute link to the record (URI, not escaped).
    pub url: Option<String>,
    pub cancelled: bool,
}

/// A published calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub name: String,
    pub events: Vec<Event>,
}

const PRODID: &str = "-//Rapport//Content calendar//EN";

impl Calendar {
    /// The calendar as an iCalendar object (`text/calendar`).
    pub fn to_ics(&self) -> String {
        let mut out = String::new();
        let mut line = |l: String| {
            out.push_str(&fold(&l));
            out.push_str("\r\n");
        };
        line("BEGIN:VCALENDAR".into());
        line(format!("PRODID:{PRODID}"));
        line("VERSION:2.0".into());
        line("CALSCALE:GREGORIAN".into());
        line("METHOD:PUBLISH".into());
        line(format!("X-WR-CALNAME:{}", escape_text(&self.name)));
        line("REFRESH-INTERVAL;VALUE=DURATION:PT1H".into());
        line("X-PUBLISHED-TTL:PT1H".into());
        for e in &self.events {
            line("BEGIN:VEVENT".into());
            line(format!("UID:{}", escape_text(&e.uid)));
            line(format!("DTSTAMP:{}", utc_stamp(e.stamp)));
            line(format!("LAST-MODIFIED:{}", utc_stamp(e.stamp)));
            line(format!("DTSTART;VALUE=DATE:{}", ics_date(e.first_day)));
            let end = e.last_day.max(e.first_day).checked_add(Duration::days(1)).unwrap_or(Date::MAX);
            line(format!("DTEND;VALUE=DATE:{}", ics_date(end)));
            line(format!("SUMMARY:{}", escape_text(&e.summary)));
            if let Some(d) = &e.description {
                line(format!("DESCRIPTION:{}", escape_text(d)));
            }
            if let Some(u) = &e.url {
                line(format!("URL;VALUE=URI:{}", u.chars().filter(|c| !c.is_control()).collect::<String>()));
            }
            line(format!("STATUS:{}", if e.cancelled { "CANCELLED" } else { "CONFIRMED" }));
            line("TRANSP:TRANSPARENT".into());
            line("END:VEVENT".into());
        }
        line("END:VCALENDAR".into());
        out
    }
}

/// `YYYYMMDD`.
fn ics_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
fn utc_stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{}T{:02}{:02}{:02}Z", ics_date(t.date()), t.hour(), t.minute(), t.second())
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks
/// as `\n`, other control characters dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line (RFC 5545 §3.1): no physical line longer than 75 octets, each
/// continuation starting with one space, never splitting a UTF-8 character.
pub fn fold(line: &str) -> String {
    const MAX: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > MAX {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn text_escapes_backslashes_separators_and_line_breaks() {
        assert_eq!(escape_text("a\\b; c, d"), "a\\\\b\\; c\\, d");
        assert_eq!(escape_text("one\r\ntwo\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
        assert_eq!(escape_text("bell\u{7}less"), "bellless");
    }

    fn physical_lines(s: &str) -> Vec<&str> {
        s.split("\r\n").collect()
    }

    #[test]
    fn long_lines_fold_at_75_octets_and_unfold_to_the_original() {
        let line = format!("SUMMARY:{}", "x".repeat(200));
        let folded = fold(&line);
        assert!(physical_lines(&folded).iter().all(|l| l.len() <= 75));
        assert_eq!(physical_lines(&folded)[0].len(), 75);
        assert!(physical_lines(&folded)[1..].iter().all(|l| l.starts_with(' ')));
        assert_eq!(folded.replace("\r\n ", ""), line);
        assert_eq!(fold("SHORT:line"), "SHORT:line");
    }

    #[test]
    fn folding_never_splits_an_emoji_or_an_umlaut() {
        for text in ["🎬".repeat(60), "Überprüfung für Jürgen ".repeat(10), format!("a{}", "ä".repeat(80))] {
            let line = format!("SUMMARY:{text}");
            let folded = fold(&line);
            for l in physical_lines(&folded) {
                assert!(l.len() <= 75, "{l:?} has {} octets", l.len());
                assert!(std::str::from_utf8(l.as_bytes()).is_ok());
            }
            assert_eq!(folded.replace("\r\n ", ""), line);
        }
    }

    #[test]
    fn a_deliverable_gives_a_draft_day_and_a_publish_window() {
        let e = entries_of(Some(date!(2030 - 05 - 01)), Some(date!(2030 - 05 - 10)), Some(date!(2030 - 05 - 20)));
        assert_eq!(
            e,
            [
                (EntryKind::DraftDue, date!(2030 - 05 - 01), date!(2030 - 05 - 01)),
                (EntryKind::PublishWindow, date!(2030 - 05 - 10), date!(2030 - 05 - 20))
            ]
        );
        assert_eq!(
            entries_of(None, None, Some(date!(2030 - 05 - 20))),
            [(EntryKind::PublishWindow, date!(2030 - 05 - 20), date!(2030 - 05 - 20))]
        );
        assert!(entries_of(None, None, None).is_empty());
    }

    #[test]
    fn a_calendar_has_all_day_events_with_an_exclusive_end_and_crlf_lines() {
        let cal = Calendar {
            name: "Acme, Summer".into(),
            events: vec![Event {
                uid: EntryKind::PublishWindow.uid("dl_1"),
                stamp: datetime!(2030-04-01 12:30:05 UTC),
                first_day: date!(2030 - 05 - 10),
                last_day: date!(2030 - 05 - 31),
                summary: "Publish window: Reel on Instagram — Ana Lima (Summer)".into(),
                description: Some("Status: Planned\nFee: €500.00".into()),
                url: Some("https://crm.example.com/collaborations/col_1".into()),
                cancelled: true,
            }],
        };
        let ics = cal.to_ics();
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "only CRLF line endings");
        for want in [
            "X-WR-CALNAME:Acme\\, Summer",
            "METHOD:PUBLISH",
            "UID:dl_1-publish@rapport",
            "DTSTAMP:20300401T123005Z",
            "DTSTART;VALUE=DATE:20300510",
            "DTEND;VALUE=DATE:20300601",
            "DESCRIPTION:Status: Planned\\nFee: €500.00",
            "STATUS:CANCELLED",
        ] {
            assert!(ics.contains(&format!("{want}\r\n")), "{want} missing in {ics}");
        }
    }

    #[test]
    fn feed_scopes_parse_from_their_slugs() {
        assert_eq!(FeedScope::parse(" Campaign"), Some(FeedScope::Campaign));
        assert_eq!(FeedScope::parse("team"), None);
    }
}
