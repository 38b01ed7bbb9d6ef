//! The app layer's one error type; the web layer maps each variant to one HTTP status.

use rapport_core::Invalid;
use rapport_store::StoreError;
use serde::Serialize;

/// A record that already holds a unique key, named in a duplicate error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Existing {
    pub id: String,
    pub display_name: String,
    pub deleted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input: each field with its problem (422).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Missing, or in another workspace (404).
    #[error("not found")]
    NotFound,
    /// Not signed in or bad credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// A duplicate or a state that forbids the action (409).
    #[error("{message}")]
    Conflict { message: String, field: Option<String>, existing: Option<Existing> },
    /// Too many attempts (429).
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Temporarily unable to answer (503).
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { constraint } => AppError::Conflict {
                message: format!("this conflicts with an existing record ({constraint})"),
                field: None,
                existing: None,
            },
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict { message: message.into(), field: None, existing: None }
    }
}
