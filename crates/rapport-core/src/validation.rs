//! Validation errors that name the field and the problem, shared by every write path.

use serde::Serialize;

/// One bad field with a human message ("must be a valid email address").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `social_accounts.0.handle`.
    pub field: String,
    pub message: String,
}

/// Every problem found in one input, collected rather than stopping at the first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", self.summary())]
pub struct Invalid {
    pub errors: Vec<FieldError>,
}

impl Invalid {
    pub fn new() -> Self {
        Self::default()
    }

    /// A single-field error.
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut v = Self::new();
        v.add(field, message);
        v
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The message for a field, if it has one (forms show it inline).
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// Takes in the problems of a nested validation: its value when it had none.
    pub fn absorb<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        result.map_err(|more| self.errors.extend(more.errors)).ok()
    }

    /// `Ok(value)` when nothing was added, otherwise `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, Invalid> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }

    fn summary(&self) -> String {
        self.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
    }
}

/// Capitalises the first letter of a sentence.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Trims a free-text field; an empty result becomes `None`. Checks a maximum length in
/// characters.
pub fn optional_text(errors: &mut Invalid, field: &str, value: Option<&str>, max_chars: usize) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max_chars {
        errors.add(field, format!("must be at most {max_chars} characters"));
        return None;
    }
    Some(v.to_owned())
}

/// A required free-text field: trimmed, non-empty, bounded.
pub fn required_text(errors: &mut Invalid, field: &str, value: Option<&str>, max_chars: usize) -> String {
    match optional_text(errors, field, value, max_chars) {
        Some(v) => v,
        None => {
            if errors.message_for(field).is_none() {
                errors.add(field, "is required");
            }
            String::new()
        }
    }
}

/// An optional calendar date written `YYYY-MM-DD`; blank is `None`.
pub fn optional_date(errors: &mut Invalid, field: &str, value: Option<&str>) -> Option<time::Date> {
    let v = value.map(str::trim).filter(|s| !s.is_empty())?;
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(v, fmt).map_err(|_| errors.add(field, "must be a date such as 2026-03-31 (YYYY-MM-DD)")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_reports_missing_and_blank_values() {
        let mut e = Invalid::new();
        required_text(&mut e, "display_name", Some("   "), 10);
        assert_eq!(e.message_for("display_name"), Some("is required"));
    }

    #[test]
    fn optional_text_rejects_overlong_values_by_characters() {
        let mut e = Invalid::new();
        assert_eq!(optional_text(&mut e, "city", Some("ééé"), 3), Some("ééé".into()));
        assert!(e.is_empty());
        optional_text(&mut e, "city", Some("éééé"), 3);
        assert_eq!(e.message_for("city"), Some("must be at most 3 characters"));
    }
}
