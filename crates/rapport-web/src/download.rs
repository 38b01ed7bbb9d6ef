//! Streaming a creator export as a file download (shared by the page and the API).

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rapport_app::creators::CreatorQuery;
use rapport_app::export::{self, Format};
use rapport_app::{App, AppResult, Ctx};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

/// Checks the query, then streams the export; a failure mid-way ends the download early
/// (and is logged), since the status line has already been sent.
pub async fn creators(app: App, ctx: Ctx, query: CreatorQuery, format: Format) -> AppResult<Response> {
    rapport_app::creators::check_query(&app, &ctx, &query).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    tokio::spawn(async move {
        if let Err(e) = export::export(&app, &ctx, query, format, tx).await {
            tracing::error!(error = %e, "export failed part-way");
        }
    });
    let body = Body::from_stream(ReceiverStream::new(rx).map(|chunk| Ok::<_, std::io::Error>(Bytes::from(chunk))));
    let date = rapport_core::actor::now().date();
    let disposition = format!("attachment; filename=\"creators-{date}.{}\"", format.extension());
    Ok(([(CONTENT_TYPE, format.content_type().to_string()), (CONTENT_DISPOSITION, disposition)], body).into_response())
}
