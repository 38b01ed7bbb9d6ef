//! The JSON API under `/api/v1`: bearer API keys, 422 bodies listing each bad field, 409
//! naming the duplicate, cursor pagination. The OpenAPI 3.1 document is generated from the
//! handlers and types below and served at `/api/v1/openapi.json`.

pub mod accounts;
pub mod calendar;
pub mod campaigns;
pub mod collaborations;
pub mod creators;
pub mod disclosure;
pub mod execution;
pub mod files;
pub mod imports;
pub mod inbound;
pub mod interactions;
pub mod mail_settings;
pub mod merges;
pub mod notes;
pub mod notifications;
pub mod openapi;
pub mod outbox;
pub mod pipeline;
pub mod playbook;
pub mod sequences;
pub mod settings;
pub mod shortlists;
pub mod suppressions;
pub mod tasks;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use rapport_core::Invalid;
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(creators::router())
        .merge(accounts::router())
        .merge(notes::router())
        .merge(shortlists::router())
        .merge(merges::router())
        .merge(pipeline::router())
        .merge(tasks::router())
        .merge(interactions::router())
        .merge(outbox::router())
        .merge(mail_settings::router())
        .merge(settings::router())
        .merge(imports::router())
        .merge(suppressions::router())
        .merge(inbound::router())
        .merge(sequences::router())
        .merge(playbook::router())
        .merge(campaigns::router())
        .merge(collaborations::router())
        .merge(execution::router())
        .merge(files::router())
        .merge(disclosure::router())
        .merge(calendar::router())
        .merge(notifications::router())
        .merge(openapi::router())
        .fallback(|| async { ApiError(rapport_app::AppError::NotFound) })
}

/// A JSON request body; malformed JSON is a 422 naming `body`.
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| Invalid::one("body", "could not be read (too large?)"))?;
        if bytes.is_empty() {
            return Err(Invalid::one("body", "is required: send a JSON object").into());
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| Invalid::one("body", format!("is not valid JSON: {e}")).into())
    }
}

impl JsonBody {
    /// Deserialises into an input type, naming the bad field on failure.
    pub fn parse<T: for<'de> serde::Deserialize<'de>>(self) -> Result<T, ApiError> {
        Ok(rapport_app::creators::parse_json(self.0)?)
    }
}

/// Parses a path id; a malformed id is simply not found.
pub fn path_id<T: std::str::FromStr>(s: &str) -> Result<T, ApiError> {
    s.parse().map_err(|_| ApiError(rapport_app::AppError::NotFound))
}
