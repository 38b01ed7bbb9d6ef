//! `/api/v1/disclosure/check`: the advertising-disclosure check of a caption (advice, not
//! legal advice).

use super::JsonBody;
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use rapport_app::disclosure::{self, CheckInput, CheckView};

pub fn router() -> Router<AppState> {
    Router::new().route("/disclosure/check", post(check_disclosure))
}

/// Check a caption's advertising disclosure for a jurisdiction (`us`, `uk`, `eu_de`), or
/// against a campaign's profile and required hashtags and mentions. Each finding is `pass`,
/// `fail` or `needs_review` with its rule and reason; `overall` is the worst. A read: read
/// keys and viewers may use it; nothing is stored.
#[utoipa::path(post, path = "/disclosure/check", tag = "disclosure", request_body = CheckInput,
    security(("api_key" = [])),
    responses((status = 200, body = CheckView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_disclosure(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<Json<CheckView>, ApiError> {
    let input: CheckInput = body.parse()?;
    Ok(Json(disclosure::check(&s.app, &ctx, input).await?))
}
