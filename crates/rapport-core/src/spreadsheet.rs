//! Cells a spreadsheet would run as formulas ("=HYPERLINK(…)", "+cmd|…", "@SUM(…)"): the
//! CSV files Rapport writes quote them with a leading apostrophe, which Excel, LibreOffice
//! and Google Sheets show as text, and an import reads the apostrophe away again, so an
//! export re-imported changes nothing.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, hide the one that follows).
fn starts_a_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as written to a CSV file: one that would start a formula gets a leading `'`, and so
/// does one that [`unescape_formula`] would otherwise shorten ("'+1 for brands" is kept whole).
pub fn escape_formula(cell: &str) -> Cow<'_, str> {
    if starts_a_formula(cell.trim_start_matches('\'')) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A cell as read from a CSV file: the `'` that [`escape_formula`] (or a person guarding a
/// formula) put before a formula character — or before a cell that was itself apostrophes
/// and a formula character — is dropped.
pub fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        // Apostrophes, then a formula character: one apostrophe is the guard.
        Some(rest) if starts_a_formula(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_read_back_as_they_were() {
        for cell in ["=HYPERLINK(\"http://evil.test\",\"x\")", "+cmd|calc", "-2+3", "@SUM(A1)", "\tx"] {
            let written = escape_formula(cell);
            assert!(written.starts_with('\''), "{cell:?}");
            assert_eq!(unescape_formula(&written), cell);
        }
    }

    #[test]
    fn a_cell_that_already_looks_escaped_reads_back_whole() {
        for cell in ["'+1 for every brand", "'=not a formula", "''-x"] {
            assert_eq!(unescape_formula(&escape_formula(cell)), cell, "{cell:?}");
        }
    }

    #[test]
    fn other_cells_are_left_alone() {
        for cell in ["Lena Bakes", "12500", "'quoted", "O'Brien", "", "3,4 %"] {
            assert_eq!(escape_formula(cell), cell);
            assert_eq!(unescape_formula(cell), cell);
        }
    }
}
