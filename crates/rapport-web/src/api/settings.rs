//! `/api/v1/settings/brand-profile` and `/api/v1/settings/tiers`: what the fit score
//! measures creators against, and where each tier begins.

use super::JsonBody;
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rapport_app::settings::{self, TierBounds};
use rapport_core::fit::BrandProfile;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/brand-profile", get(show_brand_profile).put(replace_brand_profile))
        .route("/settings/tiers", get(show_tiers).put(replace_tiers))
}

/// The brand profile: target audience (countries, age bands, genders, languages), niches,
/// values keywords and excluded topics.
#[utoipa::path(get, path = "/settings/brand-profile", tag = "settings", security(("api_key" = [])),
    responses((status = 200, body = BrandProfile)))]
pub async fn show_brand_profile(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<BrandProfile>, ApiError> {
    Ok(Json(settings::get(&s.app, &ctx).await?.brand_profile))
}

/// Replace the brand profile (a write key; people: owners and admins). A list left out is
/// emptied. Countries may be names or ISO codes and come back as codes; every fit score is
/// computed afresh.
#[utoipa::path(put, path = "/settings/brand-profile", tag = "settings", request_body = BrandProfile,
    security(("api_key" = [])),
    responses((status = 200, body = BrandProfile), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_brand_profile(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<Json<BrandProfile>, ApiError> {
    let profile: BrandProfile = body.parse()?;
    Ok(Json(settings::set_brand_profile(&s.app, &ctx, profile).await?))
}

/// The tier boundaries: the lowest following of micro, mid, macro and mega (nano is below
/// micro). Tiers go by a creator's largest account.
#[utoipa::path(get, path = "/settings/tiers", tag = "settings", security(("api_key" = [])),
    responses((status = 200, body = TierBounds)))]
pub async fn show_tiers(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<TierBounds>, ApiError> {
    Ok(Json(settings::get(&s.app, &ctx).await?.tiers.into()))
}

/// Set the tier boundaries (a write key; people: owners and admins): four follower counts,
/// each above the one before.
#[utoipa::path(put, path = "/settings/tiers", tag = "settings", request_body = TierBounds,
    security(("api_key" = [])),
    responses((status = 200, body = TierBounds), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_tiers(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<Json<TierBounds>, ApiError> {
    let bounds: TierBounds = body.parse()?;
    Ok(Json(settings::set_tier_bounds(&s.app, &ctx, bounds).await?))
}
