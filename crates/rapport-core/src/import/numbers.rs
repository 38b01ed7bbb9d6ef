//! Numbers, yes/no values and lists as people type them in spreadsheets: "12.5K",
//! "1,2M", "12 500", "12,500", "3,4 %", "—".

/// Whether a cell means "no value": blank, a dash, or a spreadsheet's n/a.
pub fn is_blank(raw: &str) -> bool {
    let s = raw.trim();
    s.is_empty()
        || matches!(s, "-" | "–" | "—" | "?" | "…")
        || matches!(s.to_ascii_lowercase().as_str(), "n/a" | "na" | "#n/a" | "null" | "none" | "nan" | "-/-")
}

/// Spaces (also no-break and thin), apostrophes and underscores group digits.
fn strip_grouping(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2009}' | '\u{202f}' | '\'' | '’' | '_'))
        .collect()
}

/// Removes grouping separators and returns the number with `.` as the decimal point.
/// `count` says whether a lone separator followed by exactly three digits groups
/// thousands ("12,500" followers) rather than marking decimals ("3,4" %).
fn normalise_decimal(s: &str, count: bool) -> String {
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let decimal = match (dots, commas) {
        (0, 0) => None,
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let n = dots.max(commas);
            let after = s.rsplit(sep).next().unwrap_or("");
            if n > 1 || (count && after.len() == 3) { None } else { Some(sep) }
        }
        // Both: the one that comes last is the decimal point ("1.234,5" or "1,234.5").
        _ => s.rfind(['.', ',']).and_then(|i| s[i..].chars().next()),
    };
    s.chars()
        .filter_map(|c| match c {
            '.' | ',' if Some(c) == decimal => Some('.'),
            '.' | ',' => None,
            other => Some(other),
        })
        .collect()
}

fn not_a_number(raw: &str, example: &str) -> String {
    format!("“{}” is not a number (write it like {example})", raw.trim())
}

/// A count of followers or views: "12500", "12 500", "12,500", "12.5K", "1,2M", "3 B".
/// Blank and dashes read as no value; fractions are rounded.
pub fn parse_count(raw: &str) -> Result<Option<i64>, String> {
    Ok(count_value(raw)?.map(|v| v.round() as i64))
}

/// [`parse_count`] for a bound someone types into a filter, where a fraction of a follower
/// is a mistake, not a rounding: "0.5" and "12.5" are refused; "12.5K" is 12 500.
pub fn parse_whole_count(raw: &str) -> Result<Option<i64>, String> {
    match count_value(raw)? {
        Some(v) if (v - v.round()).abs() > 1e-6 => Err(format!("“{}” is not a whole number", raw.trim())),
        v => Ok(v.map(|v| v.round() as i64)),
    }
}

/// The value of a count as written, before rounding.
fn count_value(raw: &str) -> Result<Option<f64>, String> {
    if is_blank(raw) {
        return Ok(None);
    }
    let example = "12500, 12 500, 12.5K or 1,2M";
    let mut s = strip_grouping(raw);
    s = s.trim_end_matches('+').to_string();
    let lower = s.to_lowercase();
    let (digits, multiplier) =
        [("mio", 1e6), ("mln", 1e6), ("mm", 1e6), ("mn", 1e6), ("bn", 1e9), ("k", 1e3), ("m", 1e6), ("b", 1e9)]
            .iter()
            .find_map(|(suffix, m)| lower.strip_suffix(suffix).map(|d| (d.to_string(), *m)))
            .unwrap_or((lower, 1.0));
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, digits),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(not_a_number(raw, example));
    }
    let plain = normalise_decimal(&digits, multiplier == 1.0);
    let value: f64 = plain.parse().map_err(|_| not_a_number(raw, example))?;
    let value = value * multiplier;
    if !value.is_finite() || value.round() > 9e15 {
        return Err(format!("“{}” is too large", raw.trim()));
    }
    Ok(Some(if negative { -value } else { value }))
}

/// A percentage: "3.4", "3,4 %", "3.4%". Kept as given (3.4 means 3.4 %).
pub fn parse_percent(raw: &str) -> Result<Option<f64>, String> {
    if is_blank(raw) {
        return Ok(None);
    }
    let example = "3.4, 3,4 % or 3.4%";
    let s = strip_grouping(raw);
    let s = s.trim_end_matches('%').trim_start_matches('%');
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    // A rate has one decimal separator at most: "1.2.3" is a typo, not 123.
    let separators = digits.matches(['.', ',']).count();
    if digits.is_empty() || separators > 1 || !digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(not_a_number(raw, example));
    }
    let value: f64 = normalise_decimal(digits, false).parse().map_err(|_| not_a_number(raw, example))?;
    Ok(Some(if negative { -value } else { value }))
}

/// Yes/no: true, yes, y, 1, x, ✓ (and ja, oui, sí) or false, no, n, 0 (nein, non).
pub fn parse_bool(raw: &str) -> Result<Option<bool>, String> {
    if is_blank(raw) {
        return Ok(None);
    }
    match raw.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "x" | "✓" | "✔" | "ja" | "oui" | "sí" | "si" | "wahr" => Ok(Some(true)),
        "false" | "no" | "n" | "0" | "nein" | "non" | "falsch" => Ok(Some(false)),
        _ => Err(format!("“{}” is not yes or no (write true/false, yes/no or 1/0)", raw.trim())),
    }
}

/// A list cell: entries separated by commas, semicolons, pipes or line breaks; a
/// leading `#` is dropped ("#vegan, #berlin").
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split([',', ';', '|', '\n'])
        .map(|v| v.trim().trim_start_matches('#').trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The addresses of an Email cell: one, or several separated by `,`, `;` or line breaks;
/// "Lena Baker <lena@example.com>" is the address in the angle brackets.
pub fn email_cell(raw: &str) -> Vec<String> {
    raw.split([',', ';', '\n'])
        .map(|part| match (part.find('<'), part.rfind('>')) {
            (Some(open), Some(close)) if open < close => &part[open + 1..close],
            _ => part,
        })
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_cell_holds_one_address_or_several() {
        assert_eq!(email_cell(" lena@example.com "), vec!["lena@example.com"]);
        assert_eq!(email_cell("a1@example.com, b1@example.com"), vec!["a1@example.com", "b1@example.com"]);
        assert_eq!(email_cell("a1@example.com;\nb1@example.com;"), vec!["a1@example.com", "b1@example.com"]);
        assert_eq!(email_cell("Lena Baker <angle@example.com>"), vec!["angle@example.com"]);
    }

    #[test]
    fn a_filter_bound_must_be_a_whole_count() {
        assert_eq!(parse_whole_count("12.5K"), Ok(Some(12_500)));
        assert_eq!(parse_whole_count("1.15M"), Ok(Some(1_150_000)));
        assert_eq!(parse_whole_count("10,000"), Ok(Some(10_000)));
        assert_eq!(parse_whole_count("0.5"), Err("“0.5” is not a whole number".into()));
        assert_eq!(parse_whole_count("12.5"), Err("“12.5” is not a whole number".into()));
        assert_eq!(parse_count("0.5"), Ok(Some(1)), "an imported figure is rounded");
    }

    #[test]
    fn counts_as_people_write_them() {
        for (raw, want) in [
            ("12500", 12_500),
            ("12 500", 12_500),
            ("12\u{a0}500", 12_500),
            ("12\u{202f}500", 12_500),
            ("12,500", 12_500),
            ("12.500", 12_500),
            ("1,234,567", 1_234_567),
            ("1.234.567", 1_234_567),
            ("12'500", 12_500),
            ("12.5K", 12_500),
            ("12,5k", 12_500),
            ("12.5 K", 12_500),
            ("1.2M", 1_200_000),
            ("1,2M", 1_200_000),
            ("1,2 Mio", 1_200_000),
            ("3B", 3_000_000_000),
            ("10K+", 10_000),
            ("1,234.5", 1_235),
            ("1.234,5", 1_235),
            ("950", 950),
            ("12.5", 13),
            ("-5", -5),
            ("1.2MM", 1_200_000),
            ("1.2 mln", 1_200_000),
            ("1.2bn", 1_200_000_000),
        ] {
            assert_eq!(parse_count(raw), Ok(Some(want)), "{raw}");
        }
    }

    #[test]
    fn blank_cells_and_dashes_are_no_value() {
        for raw in ["", "  ", "—", "–", "-", "n/a", "N/A", "#N/A", "null"] {
            assert_eq!(parse_count(raw), Ok(None), "{raw}");
            assert_eq!(parse_percent(raw), Ok(None), "{raw}");
        }
    }

    #[test]
    fn a_count_that_is_not_a_number_says_how_to_write_it() {
        let err = parse_count("lots").unwrap_err();
        assert!(err.contains("“lots” is not a number") && err.contains("12.5K"), "{err}");
        assert!(parse_count("12K5").is_err());
        assert!(parse_count("12 abc").is_err());
    }

    #[test]
    fn percentages_with_either_decimal_mark() {
        for (raw, want) in
            [("3.4", 3.4), ("3,4 %", 3.4), ("3.4%", 3.4), ("12,345", 12.345), ("0", 0.0), ("100 %", 100.0)]
        {
            assert_eq!(parse_percent(raw), Ok(Some(want)), "{raw}");
        }
        assert!(parse_percent("high").unwrap_err().contains("not a number"));
        assert!(parse_percent("1.2.3").unwrap_err().contains("“1.2.3” is not a number"), "a typo, not 123 %");
    }

    #[test]
    fn a_printed_float_reads_back_bit_for_bit() {
        for v in [3.4, 0.1 + 0.2, 12.345_678_9, 1e-7] {
            assert_eq!(parse_percent(&v.to_string()), Ok(Some(v)));
        }
    }

    #[test]
    fn yes_and_no_in_several_spellings() {
        assert_eq!(parse_bool("Yes"), Ok(Some(true)));
        assert_eq!(parse_bool("false"), Ok(Some(false)));
        assert_eq!(parse_bool(""), Ok(None));
        assert!(parse_bool("maybe").is_err());
    }

    #[test]
    fn lists_split_on_common_separators_and_drop_hashes() {
        assert_eq!(split_list("#Vegan, Berlin;food | travel\nyoga"), vec!["Vegan", "Berlin", "food", "travel", "yoga"]);
        assert!(split_list(" , ").is_empty());
    }
}
