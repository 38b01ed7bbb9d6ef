//! Assembling dynamic SQL safely: only static fragments are appended, and every value
//! becomes a numbered parameter (`$n`), valid on both engines — except a row limit the
//! server computed, which is written into the statement ([`limit`]).

use crate::db::{Arg, SqlText};
use uuid::Uuid;

/// `LIMIT n`, written into the statement rather than bound. SQLite plans a statement for
/// the LIMIT value it was prepared with, so binding a new one (every run) makes it prepare
/// the statement again — a tenth of a listing page's cost. `n` is the server's own number.
pub fn limit(n: i64) -> String {
    format!("LIMIT {n}")
}

/// A `WHERE` clause under construction.
#[derive(Debug, Default)]
pub struct Filter {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    /// Starts with fixed arguments already bound to `$1…$n` by the caller's base SQL.
    pub fn with_args(args: Vec<Arg>) -> Self {
        Self { clauses: vec![], args }
    }

    /// Adds a clause; each `?` in `fragment` takes the next value from `values`.
    pub fn and(&mut self, fragment: &'static str, values: Vec<Arg>) -> &mut Self {
        let mut out = String::with_capacity(fragment.len() + 8);
        let mut values = values.into_iter();
        for ch in fragment.chars() {
            if ch == '?'
                && let Some(v) = values.next()
            {
                self.args.push(v);
                out.push_str(&format!("${}", self.args.len()));
                continue;
            }
            out.push(ch);
        }
        self.clauses.push(out);
        self
    }

    /// Adds `column IN (…)` with a parameter per value (nothing for no values).
    pub fn and_in(&mut self, column: &'static str, values: Vec<Arg>) -> &mut Self {
        if values.is_empty() {
            return self;
        }
        let list: Vec<String> = values.into_iter().map(|v| self.param(v)).collect();
        self.clauses.push(format!("{column} IN ({})", list.join(", ")));
        self
    }

    /// Binds a value and returns its placeholder, for ORDER BY / LIMIT positions.
    pub fn param(&mut self, v: Arg) -> String {
        self.args.push(v);
        format!("${}", self.args.len())
    }

    /// Binds each id and returns the placeholders as a list, for `IN (…)`.
    pub fn uuid_list(&mut self, ids: &[Uuid]) -> String {
        let ph: Vec<String> = ids.iter().map(|id| self.param(Arg::Uuid(*id))).collect();
        ph.join(", ")
    }

    /// `" AND a AND b"` (or empty), to follow a base `WHERE`.
    pub fn and_clauses(&self) -> String {
        self.clauses.iter().map(|c| format!(" AND ({c})")).collect()
    }

    pub fn finish(self, sql: String) -> (SqlText, Vec<Arg>) {
        (sql.into(), self.args)
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Statements with at most this many arguments keep their numbered parameters on SQLite.
const POSITIONAL_FROM: usize = 100;

/// A statement with many numbered parameters (`$1 … $2000`: a page of ids, a batch's
/// lookups), rewritten for SQLite with anonymous ones (`?`) and its arguments in the order
/// they appear (repeated where a number is). SQLite finds a numbered parameter's name by
/// walking a list of all of them, and sqlx asks for every parameter's name when it binds:
/// quadratic in the parameters — a tenth of the CPU of an index rebuild. Statements that
/// already use `?`, or have few parameters, are returned as they are.
pub(crate) fn positional(sql: SqlText, args: Vec<Arg>) -> (SqlText, Vec<Arg>) {
    if args.len() <= POSITIONAL_FROM {
        return (sql, args);
    }
    let Some(spans) = numbered_parameters(&sql, args.len()) else { return (sql, args) };
    let mut out = String::with_capacity(sql.len());
    let mut ordered = Vec::with_capacity(spans.len());
    let mut at = 0;
    for (start, end, n) in spans {
        out.push_str(&sql[at..start]);
        out.push('?');
        ordered.push(args[n - 1].clone());
        at = end;
    }
    out.push_str(&sql[at..]);
    (SqlText::Owned(out), ordered)
}

/// Where the numbered parameters are (`(start, end, number)`, outside quoted text), or
/// `None` when there are none, an anonymous `?` is among them, or a number is out of range.
fn numbered_parameters(sql: &str, count: usize) -> Option<Vec<(usize, usize, usize)>> {
    let bytes = sql.as_bytes();
    let mut spans = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'?' => return None,
            None if b == b'$' => {
                let digits = bytes[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
                let n: usize = sql[i + 1..i + 1 + digits].parse().ok()?;
                if n == 0 || n > count {
                    return None;
                }
                spans.push((i, i + 1 + digits, n));
                i += digits;
            }
            None => {}
        }
        i += 1;
    }
    (!spans.is_empty()).then_some(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_after_the_fixed_arguments() {
        let mut f = Filter::with_args(vec![Arg::I64(1)]);
        f.and("a = ? OR b = ?", vec![Arg::I64(2), Arg::I64(3)]);
        f.and("c > ?", vec![Arg::I64(4)]);
        assert_eq!(f.and_clauses(), " AND (a = $2 OR b = $3) AND (c > $4)");
        assert_eq!(f.param(Arg::I64(5)), "$5");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
    }

    fn many(n: usize) -> Vec<Arg> {
        (1..=n as i64).map(Arg::I64).collect()
    }

    fn values(args: &[Arg]) -> Vec<i64> {
        args.iter().map(|a| if let Arg::I64(v) = a { *v } else { -1 }).collect()
    }

    #[test]
    fn many_numbered_parameters_become_anonymous_in_the_order_they_appear() {
        let list: Vec<String> = (2..=150).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT '$1 ?' FROM t WHERE a = $1 AND b IN ({}) OR c = $1", list.join(", "));
        let (out, args) = positional(sql.into(), many(150));
        assert!(out.starts_with("SELECT '$1 ?' FROM t WHERE a = ? AND b IN (?, ?, "), "{out}");
        assert!(out.ends_with(", ?) OR c = ?"), "{out}");
        let mut expected = vec![1];
        expected.extend(2..=150);
        expected.push(1);
        assert_eq!(values(&args), expected, "a repeated number binds its value again");
    }

    #[test]
    fn few_parameters_or_anonymous_ones_are_left_as_they_are() {
        let (out, args) = positional("SELECT $2, $1".into(), many(2));
        assert_eq!((out.as_ref(), values(&args)), ("SELECT $2, $1", vec![1, 2]));
        let anonymous = vec!["?"; 150].join(", ");
        let (out, _) = positional(format!("INSERT INTO t VALUES ({anonymous})").into(), many(150));
        assert!(!out.contains('$') && out.matches('?').count() == 150);
        let (out, _) = positional("SELECT $151".into(), many(150));
        assert_eq!(out, "SELECT $151", "a number past the arguments is left for the engine to refuse");
    }
}
