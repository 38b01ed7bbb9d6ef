//! Display formatting shared by the pages: compact and grouped numbers, relative times.

use time::OffsetDateTime;

/// "950", "12.5 k", "1.2 M" — for follower counts in tables and chips.
pub fn compact(n: i64) -> String {
    let a = n.unsigned_abs() as f64;
    let sign = if n < 0 { "-" } else { "" };
    let (v, unit) = if a >= 1e9 {
        (a / 1e9, " B")
    } else if a >= 1e6 {
        (a / 1e6, " M")
    } else if a >= 1e4 {
        (a / 1e3, " k")
    } else {
        return grouped(n);
    };
    let s = if v >= 100.0 { format!("{v:.0}") } else { format!("{v:.1}") };
    format!("{sign}{}{unit}", s.trim_end_matches(".0"))
}

/// "12 500" with a thin space between thousands.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// "just now", "5 min ago", "3 h ago", "2 d ago", else the date.
pub fn relative(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let d = now - t;
    let s = d.whole_seconds();
    if s < 0 {
        return date(t);
    }
    match s {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        86_400..=2_591_999 => format!("{} d ago", s / 86_400),
        _ => date(t),
    }
}

/// "3 Dec 2026".
pub fn date(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[day padding:none] [month repr:short] [year]");
    t.format(fmt).unwrap_or_default()
}

/// "2026-12-03 14:05 UTC", for hover titles.
pub fn exact(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(fmt).unwrap_or_default()
}

/// Up to two initials for an avatar.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Capitalises the first letter ("the email…" → "The email…").
pub fn sentence(s: &str) -> String {
    rapport_core::validation::capitalise(s)
}

/// A JSON value from a timeline diff as short text ("—" for nothing).
pub fn json_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.is_empty() => "—".into(),
        Value::Array(a) => a.iter().map(json_text).collect::<Vec<_>>().join(", "),
        Value::Object(o) if o.is_empty() => "—".into(),
        Value::Object(o) => o.iter().map(|(k, v)| format!("{k}: {}", json_text(v))).collect::<Vec<_>>().join(", "),
        Value::Number(n) if n.is_i64() => n.as_i64().map(grouped).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// An inline SVG sparkline path for a series, scaled into `w`×`h`.
pub fn sparkline(values: &[i64], w: f64, h: f64) -> Option<String> {
    if values.len() < 2 {
        return None;
    }
    let min = *values.iter().min()? as f64;
    let max = *values.iter().max()? as f64;
    let span = if max > min { max - min } else { 1.0 };
    let step = w / (values.len() - 1) as f64;
    let pts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * step, h - 1.0 - (*v as f64 - min) / span * (h - 2.0)))
        .collect();
    Some(format!("M{}", pts.join(" L")))
}

/// A platform's name as people write it ("TikTok"), from its slug; an unknown slug as it is.
pub fn platform_label(slug: &str) -> String {
    rapport_core::platform::Platform::parse(slug).map_or_else(|_| slug.to_string(), |p| p.label().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compact_or_grouped() {
        assert_eq!(compact(950), "950");
        assert_eq!(compact(9_999), "9\u{2009}999");
        assert_eq!(compact(12_500), "12.5 k");
        assert_eq!(compact(120_000), "120 k");
        assert_eq!(compact(1_000_000), "1 M");
        assert_eq!(compact(1_260_000), "1.3 M");
        assert_eq!(grouped(1_234_567), "1\u{2009}234\u{2009}567");
    }

    #[test]
    fn times_read_relative_then_as_dates() {
        let now = time::macros::datetime!(2026-11-25 12:00 UTC);
        assert_eq!(relative(now - time::Duration::minutes(5), now), "5 min ago");
        assert_eq!(relative(now - time::Duration::hours(3), now), "3 h ago");
        assert_eq!(relative(now - time::Duration::days(40), now), "16 Oct 2026");
    }

    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(initials("lena  bakes daily"), "LB");
        assert_eq!(initials("@kai"), "K");
    }

    #[test]
    fn a_sparkline_needs_two_points() {
        assert!(sparkline(&[1], 10.0, 10.0).is_none());
        assert!(sparkline(&[1, 2, 3], 60.0, 16.0).unwrap().starts_with("M0.0,15.0"));
    }
}
