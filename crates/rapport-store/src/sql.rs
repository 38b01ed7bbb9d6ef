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
}
