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

/// Reads the whole form; the file may be at most `max_bytes`.
pub async fn read(multipart: &mut Multipart, max_bytes: usize) -> Result<Upload, Invalid> {
    let mb = max_bytes / (1024 * 1024);
    let unreadable = |_| Invalid::one("file", format!("could not be read; is it larger than {mb} MB?"));
    let mut form = Upload::default();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            form.file_name = field.file_name().unwrap_or("").to_string();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if form.bytes.len() + chunk.len() > max_bytes {
                    return Err(Invalid::one("file", format!("is larger than {mb} MB; split it into smaller files")));
                }
                form.bytes.extend_from_slice(&chunk);
            }
            continue;
        }
        let value = field.text().await.map_err(unreadable)?;
        form.fields.insert(name, value);
    }
    Ok(form)
}
