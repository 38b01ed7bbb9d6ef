//! Reading a spreadsheet export: decoding (UTF-8 with or without BOM, UTF-16, or
//! Windows-1252 as a last resort), sniffing the separator from the header line, and
//! splitting into records with quoted separators and newlines kept inside cells.

use crate::Invalid;

/// The most columns one file may have.
pub const MAX_COLUMNS: usize = 300;

/// One data row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The row as a spreadsheet shows it: the header is row 1, the first data row is 2.
    pub number: i64,
    /// The cells, padded with empty cells to the header's width.
    pub cells: Vec<String>,
    /// A structural problem (more cells than the header has).
    pub problem: Option<String>,
}

impl Record {
    /// Whether every cell is empty or whitespace.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// A decoded, split file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The separator found: `,`, `;` or a tab.
    pub separator: char,
    /// Header cells, trimmed; an empty header reads "Column C".
    pub headers: Vec<String>,
    /// Non-blank data rows, in file order.
    pub records: Vec<Record>,
    /// Things the person should know ("read as Windows-1252").
    pub warnings: Vec<String>,
}

/// Text decoded from the uploaded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub warnings: Vec<String>,
}

/// Decodes a file: a UTF-8 BOM is dropped, UTF-16 (with a BOM) is converted, and bytes
/// that are not UTF-8 are read as Windows-1252, the usual encoding of older Excel exports.
pub fn decode(bytes: &[u8]) -> Result<Decoded, Invalid> {
    let mut warnings = Vec::new();
    let text = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)?
    } else {
        let rest = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        match std::str::from_utf8(rest) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                warnings.push(CP1252_WARNING.to_string());
                utf8_else_windows_1252(rest)
            }
        }
    };
    if text.contains('\0') {
        return Err(Invalid::one("file", "is not a CSV file (it contains binary data); export it as CSV first"));
    }
    Ok(Decoded { text, warnings })
}

const CP1252_WARNING: &str = "The file is not all UTF-8, so what is not was read as Windows-1252 (Western European). \
     Check that accented names look right.";

/// Text that is UTF-8 where it is and Windows-1252 where it is not: a file pasted together
/// from two sources keeps its UTF-8 names intact ("Renée" stays "Renée") while the other
/// source's bytes are read as the older Excel encoding. A file with no UTF-8 beyond ASCII
/// comes out as Windows-1252 throughout.
fn utf8_else_windows_1252(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1).min(rest.len());
                out.push_str(&windows_1252(&rest[..bad]));
                bytes = &rest[bad..];
            }
        }
    }
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> Result<String, Invalid> {
    let units: Vec<u16> = bytes.chunks(2).filter(|c| c.len() == 2).map(|c| word([c[0], c[1]])).collect();
    String::from_utf16(&units).map_err(|_| Invalid::one("file", "is marked as UTF-16 but is not valid UTF-16"))
}

/// Windows-1252: Latin-1 plus typographic characters in 0x80–0x9F.
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    bytes.iter().map(|&b| if (0x80..0xA0).contains(&b) { HIGH[usize::from(b - 0x80)] } else { char::from(b) }).collect()
}

/// The separator of the header line: whichever of `,`, `;` and tab occurs most often
/// outside quotes (a comma on a tie). An Excel `sep=;` line decides it outright.
pub fn sniff_separator(text: &str) -> char {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if let Some(sep) = excel_sep_line(first) {
        return sep;
    }
    let mut quoted = false;
    let mut counts = [0usize; 3];
    for ch in first.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    [',', ';', '\t'][best]
}

fn excel_sep_line(line: &str) -> Option<char> {
    let rest = line.trim().strip_prefix("sep=")?;
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if matches!(c, ',' | ';' | '\t' | '|') => Some(c),
        _ => None,
    }
}

/// Decodes and splits a file.
pub fn read_table(bytes: &[u8]) -> Result<Table, Invalid> {
    let decoded = decode(bytes)?;
    let mut table = read_text(&decoded.text)?;
    table.warnings.splice(0..0, decoded.warnings);
    Ok(table)
}

/// Splits decoded text into a header and records, all in memory (uploads and previews).
pub fn read_text(text: &str) -> Result<Table, Invalid> {
    let rows = rows(text)?;
    let (separator, headers) = (rows.separator, rows.headers.clone());
    let records = rows.collect::<Result<Vec<_>, _>>()?;
    if records.is_empty() {
        return Err(Invalid::one("file", "has a header but no rows under it"));
    }
    Ok(Table { separator, headers, records, warnings: vec![] })
}

/// The records of decoded text one at a time, so a file of a million rows is never held
/// as cells all at once. Blank rows are skipped but keep their numbers.
pub struct Rows<'a> {
    /// The separator found: `,`, `;` or a tab.
    pub separator: char,
    /// Header cells, trimmed; an empty header reads "Column C".
    pub headers: Vec<String>,
    width: usize,
    body: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    number: i64,
    last_line: u64,
    failed: bool,
}

/// Opens decoded text for reading record by record: the header is read (and checked) now.
pub fn rows(text: &str) -> Result<Rows<'_>, Invalid> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let separator = sniff_separator(text);
    // Skip blank lines before the header and an Excel `sep=` line.
    let mut body = text.trim_start_matches(['\r', '\n']);
    let first_line = body.lines().next().unwrap_or("");
    if excel_sep_line(first_line).is_some() {
        body = body[first_line.len()..].trim_start_matches(['\r', '\n']);
    }
    let mut sep = [0u8; 4];
    let sep_byte = separator.encode_utf8(&mut sep).as_bytes()[0];
    let mut reader =
        csv::ReaderBuilder::new().delimiter(sep_byte).has_headers(false).flexible(true).from_reader(body.as_bytes());
    let mut header = csv::StringRecord::new();
    match reader.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(Invalid::one("file", "is empty")),
        Err(e) => return Err(Invalid::one("file", format!("could not be read as CSV: {e}"))),
    }
    let width = header.len();
    if width > MAX_COLUMNS {
        return Err(Invalid::one("file", format!("has {width} columns; at most {MAX_COLUMNS} are supported")));
    }
    let headers = header
        .iter()
        .enumerate()
        .map(|(i, h)| match h.trim() {
            "" => format!("Column {}", column_letter(i)),
            h => h.to_owned(),
        })
        .collect();
    let last_line = end_line(body, &header);
    Ok(Rows { separator, headers, width, body, reader, record: header, number: 1, last_line, failed: false })
}

impl Iterator for Rows<'_> {
    type Item = Result<Record, Invalid>;

    fn next(&mut self) -> Option<Self::Item> {
        let width = self.width;
        while !self.failed {
            match self.reader.read_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    self.failed = true;
                    let message = format!("could not be read as CSV after row {}: {e}", self.number);
                    return Some(Err(Invalid::one("file", message)));
                }
            }
            let row = &self.record;
            // Empty lines are rows in a spreadsheet too, so they count.
            let start = start_line(self.body, row).unwrap_or(self.last_line + 1);
            self.number += 1 + start.saturating_sub(self.last_line + 1) as i64;
            self.last_line = end_line(self.body, row);
            let mut cells: Vec<String> = row.iter().map(str::to_owned).collect();
            let extra: Vec<String> = if cells.len() > width { cells.split_off(width) } else { vec![] };
            cells.resize(width, String::new());
            let problem = extra.iter().any(|c| !c.trim().is_empty()).then(|| {
                format!(
                    "has {} cells but the header has {width}; a value containing “{}” must be in double quotes",
                    width + extra.len(),
                    if self.separator == '\t' { "tab".to_string() } else { self.separator.to_string() }
                )
            });
            let problem = problem.or_else(|| self.unclosed_quote());
            let record = Record { number: self.number, cells, problem };
            if !(record.is_blank() && record.problem.is_none()) {
                return Some(Ok(record));
            }
        }
        None
    }
}

impl Rows<'_> {
    /// When the record just read ran to the end of the file inside a quoted cell: an
    /// opening double quote never closed takes every later line into that one cell, and
    /// the CSV reader accepts it silently. Only the last record can be one.
    fn unclosed_quote(&self) -> Option<String> {
        if usize::try_from(self.reader.position().byte()).ok()? < self.body.len() {
            return None;
        }
        let start = usize::try_from(self.record.position()?.byte()).ok()?;
        let raw = self.body.get(start..)?;
        let sep = u8::try_from(u32::from(self.separator)).ok()?;
        let column = unclosed_quote_column(raw, sep)?;
        let header = self.headers.get(column).map_or("", String::as_str);
        let lines = raw.trim_end().lines().count();
        Some(format!(
            "the double quote opening column {} (“{header}”) is never closed, so the {lines} lines from here to the \
             end of the file were read as one cell; close the quote (or remove it) and import the file again",
            column_letter(column)
        ))
    }
}

/// The column (0-based) of a quoted cell that `raw` — one record and everything after it
/// — opens and never closes, as a CSV reader sees quotes: a quote opens a cell only as its
/// first character, and inside one `""` is a quote.
fn unclosed_quote_column(raw: &str, sep: u8) -> Option<usize> {
    let bytes = raw.as_bytes();
    let (mut column, mut at_start, mut quoted) = (0, true, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if quoted {
            if b == b'"' {
                if bytes.get(i) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        match b {
            b'\n' | b'\r' => return None,
            _ if b == sep => {
                column += 1;
                at_start = true;
                continue;
            }
            b'"' if at_start => quoted = true,
            _ => {}
        }
        at_start = false;
    }
    quoted.then_some(column)
}

/// The file line a record starts on. The reader's position is where it began reading,
/// before any empty lines it skipped, so those are counted here.
fn start_line(body: &str, r: &csv::StringRecord) -> Option<u64> {
    let p = r.position()?;
    let rest = body.as_bytes().get(usize::try_from(p.byte()).ok()?..)?;
    let skipped = rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n').count();
    Some(p.line() + skipped as u64)
}

/// The file line a record ends on (quoted newlines inside cells span lines).
fn end_line(body: &str, r: &csv::StringRecord) -> u64 {
    start_line(body, r).unwrap_or(1) + r.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>()
}

/// The spreadsheet letter of a 0-based column index: A, B, …, Z, AA, AB, …
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_and_semicolons_and_quoted_newlines_are_handled() {
        let bytes =
            "\u{feff}Name;Bio;Followers\r\n\"Élodie\";\"Line one\r\nline two; still bio\";\"1,2M\"\r\n李华;;12 500\r\n"
                .as_bytes();
        let t = read_table(bytes).unwrap();
        assert_eq!(t.separator, ';');
        assert_eq!(t.headers, vec!["Name", "Bio", "Followers"]);
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.records[0].cells[0], "Élodie");
        assert_eq!(t.records[0].cells[1], "Line one\r\nline two; still bio");
        assert_eq!(t.records[0].cells[2], "1,2M");
        assert_eq!(t.records[1].number, 3, "rows are numbered as a spreadsheet shows them");
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn the_separator_is_sniffed_from_the_header_only() {
        assert_eq!(sniff_separator("a,b,c\n1;2;3;4;5"), ',');
        assert_eq!(sniff_separator("\"a,b\";c\n"), ';');
        assert_eq!(sniff_separator("a\tb\tc"), '\t');
        assert_eq!(sniff_separator("name"), ',');
        assert_eq!(sniff_separator("sep=;\nname,city"), ';');
    }

    #[test]
    fn an_excel_sep_line_is_skipped() {
        let t = read_text("sep=;\nName;City\nLena;Berlin\n").unwrap();
        assert_eq!(t.headers, vec!["Name", "City"]);
        assert_eq!(t.records[0].cells, vec!["Lena", "Berlin"]);
        assert_eq!(t.records[0].number, 2);
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_flagged() {
        let t = read_text("a,b,c\n1\n1,2,3,4\n1,2,3,\n").unwrap();
        assert_eq!(t.records[0].cells, vec!["1", "", ""]);
        assert!(t.records[1].problem.as_deref().unwrap().contains("has 4 cells but the header has 3"));
        assert_eq!(t.records[2].problem, None, "a trailing empty cell is harmless");
    }

    #[test]
    fn blank_rows_are_skipped_but_keep_their_numbers() {
        let t = read_text("name\r\nLena\r\n,\r\n\r\nOlga\r\n\"two\r\nlines\"\r\nNext\r\n").unwrap();
        let numbers: Vec<i64> = t.records.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![2, 5, 6, 7], "as a spreadsheet numbers them");
    }

    #[test]
    fn windows_1252_and_utf16_files_are_decoded() {
        let t = read_table(b"Name\n\xC9lodie \x96 caf\xE9\n").unwrap();
        assert_eq!(t.records[0].cells[0], "Élodie – café");
        assert_eq!(t.warnings.len(), 1);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "Name\tCity\nОльга\tKyiv\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let t = read_table(&utf16).unwrap();
        assert_eq!(t.separator, '\t');
        assert_eq!(t.records[0].cells, vec!["Ольга", "Kyiv"]);
    }

    #[test]
    fn a_file_mixing_utf8_and_windows_1252_keeps_both_readable() {
        let mut bytes = "Name\nRenée\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xC9lodie caf\xE9\n");
        let t = read_table(&bytes).unwrap();
        assert_eq!(t.records[0].cells[0], "Renée", "the UTF-8 line stays as it was");
        assert_eq!(t.records[1].cells[0], "Élodie café", "the other line is read as Windows-1252");
        assert_eq!(t.warnings.len(), 1);
        let t = read_table(b"\xEF\xBB\xBFName\n\xE9t\xE9\n").unwrap();
        assert_eq!(t.records[0].cells[0], "été", "after a byte-order mark too");
    }

    #[test]
    fn empty_and_binary_files_are_refused_naming_the_file() {
        assert_eq!(read_table(b"").unwrap_err().message_for("file"), Some("is empty"));
        assert!(read_table(b"name\n").unwrap_err().message_for("file").unwrap().contains("no rows"));
        assert!(read_table(b"PK\x03\x04\0\0").unwrap_err().message_for("file").unwrap().contains("binary"));
    }

    #[test]
    fn a_quote_never_closed_fails_its_row_instead_of_swallowing_the_file_silently() {
        let t = read_text("Name,Instagram,Followers\nLena \"The Baker\",lena.q,12K\n\"Broken,broken.q,1K\nOlga,olga.q,2K\nMarta,m,3K\n")
            .unwrap();
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.records[0].cells[0], "Lena \"The Baker\"", "a quote inside a cell is just a character");
        assert_eq!(t.records[0].problem, None);
        let broken = &t.records[1];
        assert_eq!(broken.number, 3);
        let problem = broken.problem.as_deref().unwrap();
        assert!(problem.contains("column A (“Name”) is never closed"), "{problem}");
        assert!(problem.contains("the 3 lines from here"), "{problem}");
    }

    #[test]
    fn a_closed_quote_on_the_last_row_is_no_problem() {
        for text in ["a;b\n1;\"x;\"\"y\"\"\n z\"", "a;b\n1;\"x\"\n", "a;b\n\"1\";2", "a,b\n1,5'11\""] {
            let t = read_text(text).unwrap();
            assert_eq!(t.records.last().unwrap().problem, None, "{text:?}");
        }
        assert_eq!(unclosed_quote_column("1;\"x;\"\"y", b';'), Some(1));
        assert_eq!(unclosed_quote_column("1,\"x\"\"\"\n2,\"y", b','), None, "only the record's own line counts");
    }

    #[test]
    fn column_letters_follow_spreadsheets() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
