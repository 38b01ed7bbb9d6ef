//! `GET /ics/{secret}.ics`: a calendar feed for calendar apps — no session, the secret in
//! the URL is the credential (unknown or revoked: 404). The path is logged without it.

use crate::error::PageError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rapport_app::calendar;

pub fn router() -> Router<AppState> {
    Router::new().route("/ics/{token}", get(feed))
}

/// A file name for the calendar: its name's letters and digits, dashes between words.
fn file_name(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() { "calendar.ics".into() } else { format!("{}.ics", words.join("-")) }
}

async fn feed(State(s): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Result<Response, PageError> {
    let secret = token.strip_suffix(".ics").unwrap_or(&token);
    let origin = s.public_origin(&headers);
    let (name, ics) = calendar::feed_ics(&s.app, secret, Some(&origin)).await?;
    let disposition = format!("inline; filename=\"{}\"", file_name(&name));
    let mut resp = ics.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn the_file_name_keeps_only_plain_words() {
        assert_eq!(file_name("Acme: Summer Glow"), "acme-summer-glow.ics");
        assert_eq!(file_name("Ünïcode ✨"), "n-code.ics");
        assert_eq!(file_name("✨"), "calendar.ics");
    }
}
