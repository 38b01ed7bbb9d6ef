//! Reading a form with one uploaded file (multipart), bounded in size, and checking its
//! CSRF token — shared by the CSV import and the email import.

use crate::auth::{CSRF_FIELD, Session};
use crate::error::PageError;
use axum::extract::Multipart;
use rapport_app::{AppError, tokens};
use rapport_core::Invalid;
use std::collections::HashMap;

/// The file (field `file`) and the other fields of an upload form.
#[derive(Debug, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub fields: HashMap<String, String>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// Fails unless the form carries the session's CSRF token.
    pub fn check_csrf(&self, session: &Session) -> Result<(), PageError> {
        if tokens::constant_time_eq(self.field(CSRF_FIELD), &session.s.csrf_token) {
            Ok(())
        } else {
            Err(PageError(AppError::Forbidden(
                "This form has expired or did not come from Rapport. Go back, reload the page and try again.".into(),
            )))
        }
    }
}

/// The most bytes all the other fields of an upload form may hold together.
const MAX_FIELD_BYTES: usize = 64 * 1024;

/// Reads the whole form; the file may be at most `max_bytes`.
pub async fn read(multipart: &mut Multipart, max_bytes: usize) -> Result<Upload, Invalid> {
    read_with(multipart, max_bytes, "; split it into smaller files").await
}

/// Reads the whole form, the file at most `max_bytes` (a larger one is refused naming
/// `file`, with `advice` after the limit) and the other fields at most 64 KB together, so
/// a route without a body limit still reads a bounded amount.
pub async fn read_with(multipart: &mut Multipart, max_bytes: usize, advice: &str) -> Result<Upload, Invalid> {
    let limit = rapport_app::files::human_size(max_bytes as u64);
    let unreadable = |_| Invalid::one("file", format!("could not be read; is it larger than {limit}?"));
    let mut form = Upload::default();
    let mut field_bytes = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        let is_file = name == "file";
        if is_file {
            if !form.bytes.is_empty() {
                return Err(Invalid::one("file", "must be a single file"));
            }
            form.file_name = field.file_name().unwrap_or("").to_string();
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if is_file && form.bytes.len() + chunk.len() > max_bytes {
                return Err(Invalid::one("file", format!("is larger than {limit}{advice}")));
            }
            if is_file {
                form.bytes.extend_from_slice(&chunk);
                continue;
            }
            field_bytes += chunk.len();
            if field_bytes > MAX_FIELD_BYTES {
                return Err(Invalid::one(name, "is too long"));
            }
            value.extend_from_slice(&chunk);
        }
        if !is_file {
            form.fields.insert(name, String::from_utf8_lossy(&value).into_owned());
        }
    }
    Ok(form)
}
