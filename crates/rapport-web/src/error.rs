//! The web layer's one error type: every [`AppError`] maps to one status and a stable
//! snake_case `code`, as JSON for the API and as a page for the browser. 5xx are logged.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rapport_app::AppError;
use rapport_app::error::Existing;
use rapport_core::FieldError;
use serde::Serialize;

/// The status and code for an app error.
pub fn classify(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Conflict { existing: Some(_), .. } => (StatusCode::CONFLICT, "duplicate"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
        AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        AppError::Store(_) | AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// The JSON error body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code: `invalid_input`, `not_found`, `duplicate`, …
    pub code: String,
    pub message: String,
    /// For `invalid_input`: each bad field with its problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldError>,
    /// For `duplicate`: the record that already holds the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<Existing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

fn log_if_server_error(status: StatusCode, e: &AppError) {
    if status.is_server_error() {
        tracing::error!(error = %e, "request failed");
    }
}

/// An error answered as JSON (API routes).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = classify(&self.0);
        log_if_server_error(status, &self.0);
        let message = if status.is_server_error() { "internal error".to_string() } else { self.0.to_string() };
        let (fields, existing, field) = match self.0 {
            AppError::Invalid(i) => (i.errors, None, None),
            AppError::Conflict { existing, field, .. } => (vec![], existing, field),
            _ => (vec![], None, None),
        };
        let message = if fields.is_empty() { message } else { "some fields are invalid".into() };
        let mut resp =
            (status, axum::Json(ErrorBody { code: code.into(), message, fields, existing, field })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// An error answered as a page (browser routes). Unauthenticated requests go to the
/// login page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<rapport_core::Invalid> for PageError {
    fn from(e: rapport_core::Invalid) -> Self {
        PageError(e.into())
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError(AppError::Internal(format!("template: {e}")))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, _) = classify(&self.0);
        if status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/login").into_response();
        }
        log_if_server_error(status, &self.0);
        let message = match &self.0 {
            AppError::NotFound => "This page does not exist, or it belongs to another workspace.".to_string(),
            e if status.is_server_error() => {
                let _ = e;
                "Something went wrong on our side. It has been logged.".to_string()
            }
            e => e.to_string(),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let body = crate::pages::error_page(status.as_u16(), title, &message);
        (status, Html(body)).into_response()
    }
}
