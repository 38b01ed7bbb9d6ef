//! Serving uploaded files' bytes safely, one way for every route (the API, the signed-in
//! UI at `/files/{id}`, and later the creator portal): the sniffed type, never sniffed again
//! by the browser; a sandbox CSP so nothing in the file runs with Rapport's origin; inline
//! only for raster images, video and audio, a download for everything else; the name
//! encoded per RFC 6266/5987; private caching with the SHA-256 as ETag.
//!
//! HTML, SVG and XML are refused at upload; should such a type ever be stored, it is still
//! served as `application/octet-stream` and as a download.

use crate::auth::Session;
use crate::error::PageError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rapport_app::files::{self, FileView};
use rapport_core::files::{FileType, content_disposition};

/// The routes serving files to signed-in people (outside the pages' own CSP layer, which
/// would replace the sandbox policy).
pub fn router() -> Router<AppState> {
    Router::new().route("/files/{id}", get(show_file))
}

/// The bytes of a file with the headers that keep it from running anything.
pub fn file_response(view: &FileView, bytes: Vec<u8>) -> Response {
    let kind = FileType::from_mime(&view.content_type);
    let inline = kind.accepted() && kind.inline();
    let content_type = if kind.accepted() { kind.mime() } else { FileType::Unknown.mime() };
    let mut h = HeaderMap::new();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    let disposition = content_disposition(inline, &view.name);
    // The disposition is ASCII by construction; the fallback keeps a download a download.
    let disposition = HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"));
    h.insert(CONTENT_DISPOSITION, disposition);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", view.sha256)) {
        h.insert(ETAG, etag);
    }
    (h, bytes).into_response()
}

/// A file of the signed-in person's workspace.
async fn show_file(State(s): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError(rapport_app::AppError::NotFound))?;
    let (view, bytes) = files::read(&s.app, session.ctx(), id).await?;
    Ok(file_response(&view, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_core::ids::FileId;

    fn view(name: &str, content_type: &str) -> FileView {
        FileView {
            id: FileId::new(),
            name: name.into(),
            content_type: content_type.into(),
            size_bytes: 3,
            sha256: "ab".repeat(32),
            created_at: rapport_core::actor::now(),
        }
    }

    fn header(r: &Response, name: axum::http::HeaderName) -> &str {
        r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    #[test]
    fn an_image_is_inline_inside_a_sandbox_and_never_resniffed() {
        let r = file_response(&view("pic.png", "image/png"), b"png".to_vec());
        assert_eq!(header(&r, CONTENT_TYPE), "image/png");
        assert!(header(&r, CONTENT_DISPOSITION).starts_with("inline; filename=\"pic.png\""));
        assert_eq!(header(&r, X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header(&r, CONTENT_SECURITY_POLICY), "default-src 'none'; sandbox");
        assert!(header(&r, CACHE_CONTROL).starts_with("private"));
        assert_eq!(header(&r, ETAG), format!("\"{}\"", "ab".repeat(32)));
    }

    #[test]
    fn documents_and_text_download() {
        for t in ["application/pdf", "text/plain; charset=utf-8", "application/zip"] {
            let r = file_response(&view("x", t), vec![]);
            assert!(header(&r, CONTENT_DISPOSITION).starts_with("attachment;"), "{t}");
            assert_eq!(header(&r, CONTENT_TYPE), t);
        }
    }

    #[test]
    fn markup_that_somehow_got_stored_downloads_as_opaque_bytes() {
        for t in ["image/svg+xml", "text/html", "application/xml", "text/html; charset=utf-8"] {
            let r = file_response(&view("x.svg", t), b"<svg/>".to_vec());
            assert_eq!(header(&r, CONTENT_TYPE), "application/octet-stream", "{t}");
            assert!(header(&r, CONTENT_DISPOSITION).starts_with("attachment;"), "{t}");
        }
    }
}
