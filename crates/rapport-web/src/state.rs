//! Shared state handed to every handler.

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
}
