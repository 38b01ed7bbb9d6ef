//! Rapport over HTTP: server-rendered pages, the JSON API under `/api/v1` with its
//! OpenAPI document, authentication extractors, and one error type mapped to responses.
//! Startup is a library function so tests run the real server on a random port.
#![forbid(unsafe_code)]

pub mod api;
pub mod assets;
pub mod auth;
pub mod download;
pub mod error;
pub mod files;
pub mod format;
pub mod ics;
pub mod pages;
pub mod params;
pub mod state;

use axum::Router;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use rapport_app::App;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, WebConfig};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(assets::router())
        .merge(pages::router())
        .merge(files::router())
        .merge(ics::router())
        .nest("/api/v1", api::router())
        .with_state(state)
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                // Only the method and path are logged: query strings can carry personal data.
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    let path = loggable_path(req.uri().path());
                    tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(30),
                )),
        )
}

/// The request path as logged: the secret of a link (invitation, unsubscribe, calendar
/// feed) is left out.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/invite/", "/unsubscribe/", "/portal/sign-in/", "/review/", "/ics/"] {
        if path.starts_with(prefix) && path.len() > prefix.len() {
            return format!("{prefix}…").into();
        }
    }
    path.into()
}

async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> (axum::http::StatusCode, &'static str) {
    match state.app.db.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Serves until `shutdown` resolves; in-flight requests are allowed to finish.
pub async fn serve(
    listener: TcpListener,
    app: App,
    config: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    app.start_background().await;
    let state = AppState::new(app, config);
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn the_secret_of_a_link_is_not_logged() {
        assert_eq!(loggable_path("/invite/abc123"), "/invite/…");
        assert_eq!(loggable_path("/unsubscribe/abc123"), "/unsubscribe/…");
        assert_eq!(loggable_path("/ics/abc123.ics"), "/ics/…");
        assert_eq!(loggable_path("/creators/cr_1"), "/creators/cr_1");
    }
}
