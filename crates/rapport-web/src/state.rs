//! Shared state handed to every handler.

use axum::http::HeaderMap;
use rapport_app::App;
use std::sync::Arc;

/// Web settings.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// The public origin used in links shown to people (invitations), e.g.
    /// `https://crm.example.com`. Defaults to the request's Host.
    pub public_url: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        Self { app, config: Arc::new(config) }
    }

    /// The origin for links that leave the app (invitations, unsubscribe links): the
    /// configured public URL, else the request's Host.
    pub fn public_origin(&self, headers: &HeaderMap) -> String {
        if let Some(u) = &self.config.public_url {
            return u.trim_end_matches('/').to_string();
        }
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
        let scheme = if self.config.secure_cookies { "https" } else { "http" };
        format!("{scheme}://{host}")
    }
}
