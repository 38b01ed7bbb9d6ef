//! The stylesheet and script, embedded in the binary and served with a content hash in
//! the URL so they can be cached for a year.

use crate::state::AppState;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

pub const CSS: &str = include_str!("../static/app.css");
pub const JS: &str = include_str!("../static/app.js");

fn short_hash(s: &str) -> String {
    // FNV-1a: enough to bust caches when the file changes.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")[..10].to_string()
}

/// `/static/app.<hash>.css`
pub fn css_url() -> String {
    format!("/static/app.{}.css", short_hash(CSS))
}

/// `/static/app.<hash>.js`
pub fn js_url() -> String {
    format!("/static/app.{}.js", short_hash(JS))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&css_url(), get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route(&js_url(), get(|| async { asset("text/javascript; charset=utf-8", JS) }))
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, "public, max-age=31536000, immutable")], body)
}
