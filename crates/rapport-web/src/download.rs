//! Streaming a creator export as a file download (shared by the page and the API).

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use rapport_app::creators::CreatorQuery;
use rapport_app::export::{self, Format};
use rapport_app::{App, AppResult, Ctx};
use tokio::sync::mpsc::Receiver;
use tokio::sync::oneshot;
use tokio_stream::wrappers::ReceiverStream;

/// Checks the query, then streams the export. A failure mid-way (logged) breaks off the
/// download, since the status line has already been sent: the client sees an incomplete
/// transfer rather than a file that merely ends early.
pub async fn creators(app: App, ctx: Ctx, query: CreatorQuery, format: Format) -> AppResult<Response> {
    rapport_app::creators::check_query(&app, &ctx, &query).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let (done, outcome) = tokio::sync::oneshot::channel::<bool>();
    tokio::spawn(async move {
        let result = export::export(&app, &ctx, query, format, tx).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, "export failed part-way");
        }
        let _ = done.send(result.is_ok());
    });
    let date = rapport_core::actor::now().date();
    let disposition = format!("attachment; filename=\"creators-{date}.{}\"", format.extension());
    Ok(([(CONTENT_TYPE, format.content_type().to_string()), (CONTENT_DISPOSITION, disposition)], body(rx, outcome))
        .into_response())
}

/// The chunks as they come, then — unless `outcome` says the export finished — an error,
/// on which the server breaks off the response.
fn body(chunks: Receiver<Vec<u8>>, outcome: oneshot::Receiver<bool>) -> Body {
    let failed = stream::once(async move { !outcome.await.unwrap_or(false) });
    let ending = failed
        .filter_map(|failed| async move { failed.then(|| Err(std::io::Error::other("the export failed part-way"))) });
    Body::from_stream(ReceiverStream::new(chunks).map(|chunk| Ok(Bytes::from(chunk))).chain(ending))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(finished: bool) -> Result<Bytes, axum::Error> {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let (done, outcome) = oneshot::channel();
        tx.send(b"id,display_name\n".to_vec()).await.unwrap();
        drop(tx);
        done.send(finished).unwrap();
        axum::body::to_bytes(body(rx, outcome), usize::MAX).await
    }

    #[tokio::test]
    async fn a_finished_export_is_a_complete_body() {
        assert_eq!(read(true).await.unwrap(), Bytes::from_static(b"id,display_name\n"));
    }

    #[tokio::test]
    async fn an_export_that_failed_part_way_breaks_off_the_body() {
        assert!(read(false).await.is_err());
    }
}
