//! `/api/v1/campaigns/{id}/collaborations`, `/api/v1/collaborations`,
//! `/api/v1/creators/{id}/collaborations` and `/api/v1/offers`: the deals of a campaign,
//! their stage moves and their offers and counter-offers.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::collaborations::{self, CollaborationDetail, CollaborationView, StageInput};
use rapport_app::offers::{self, OfferView};
use rapport_core::collaborations::{CollaborationInput, OfferInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/collaborations", get(list_campaign_collaborations).post(create_collaboration))
        .route("/creators/{id}/collaborations", get(list_creator_collaborations))
        .route("/collaborations/{id}", get(show_collaboration).patch(update_collaboration))
        .route("/collaborations/{id}/stage", post(move_collaboration))
        .route("/collaborations/{id}/offers", get(list_offers).post(create_offer))
        .route("/offers/{id}/accept", post(accept_offer))
        .route("/offers/{id}/decline", post(decline_offer))
        .route("/offers/{id}/withdraw", post(withdraw_offer))
}

/// A campaign's collaborations, in the order they were added.
#[utoipa::path(get, path = "/campaigns/{id}/collaborations", tag = "collaborations", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<CollaborationView>), (status = 404, body = ErrorBody)))]
pub async fn list_campaign_collaborations(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<CollaborationView>>, ApiError> {
    Ok(Json(collaborations::list_for_campaign(&s.app, &ctx, path_id(&id)?).await?))
}

/// Add a creator to a campaign (stage `invited`). 409 when the creator is already on it or
/// is marked do not contact.
#[utoipa::path(post, path = "/campaigns/{id}/collaborations", tag = "collaborations", params(("id" = String, Path)),
    request_body = CollaborationInput, security(("api_key" = [])),
    responses((status = 201, body = CollaborationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_collaboration(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<CollaborationView>), ApiError> {
    let input: CollaborationInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(collaborations::add(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// A creator's collaborations, newest first.
#[utoipa::path(get, path = "/creators/{id}/collaborations", tag = "collaborations", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<CollaborationView>), (status = 404, body = ErrorBody)))]
pub async fn list_creator_collaborations(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<CollaborationView>>, ApiError> {
    Ok(Json(collaborations::list_for_creator(&s.app, &ctx, path_id(&id)?).await?))
}

/// A collaboration with its stage history and offers.
#[utoipa::path(get, path = "/collaborations/{id}", tag = "collaborations", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = CollaborationDetail), (status = 404, body = ErrorBody)))]
pub async fn show_collaboration(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<CollaborationDetail>, ApiError> {
    Ok(Json(collaborations::get(&s.app, &ctx, path_id(&id)?).await?))
}

/// Change a collaboration's owner and terms (JSON merge patch; `null` clears a field).
#[utoipa::path(patch, path = "/collaborations/{id}", tag = "collaborations", params(("id" = String, Path)),
    request_body = CollaborationInput, security(("api_key" = [])),
    responses((status = 200, body = CollaborationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_collaboration(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CollaborationView>, ApiError> {
    Ok(Json(collaborations::patch(&s.app, &ctx, path_id(&id)?, body.0).await?))
}

/// Move a collaboration to another stage; a forbidden move is a 409 naming the allowed
/// stages.
#[utoipa::path(post, path = "/collaborations/{id}/stage", tag = "collaborations", params(("id" = String, Path)),
    request_body = StageInput, security(("api_key" = [])),
    responses((status = 200, body = CollaborationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_collaboration(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CollaborationView>, ApiError> {
    let input: StageInput = body.parse()?;
    Ok(Json(collaborations::move_stage(&s.app, &ctx, path_id(&id)?, input).await?))
}

/// A collaboration's offers and counter-offers, oldest first.
#[utoipa::path(get, path = "/collaborations/{id}/offers", tag = "collaborations", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<OfferView>), (status = 404, body = ErrorBody)))]
pub async fn list_offers(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<OfferView>>, ApiError> {
    Ok(Json(offers::list(&s.app, &ctx, path_id(&id)?).await?))
}

/// Make an offer, or record the creator's counter-offer (`creator_to_brand`); the open offer
/// becomes `countered`.
#[utoipa::path(post, path = "/collaborations/{id}/offers", tag = "collaborations", params(("id" = String, Path)),
    request_body = OfferInput, security(("api_key" = [])),
    responses((status = 201, body = OfferView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_offer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<OfferView>), ApiError> {
    let input: OfferInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(offers::create(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// Accept an open offer: its amount becomes the agreed fee and the collaboration moves to
/// `agreed`.
#[utoipa::path(post, path = "/offers/{id}/accept", tag = "collaborations", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = OfferView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn accept_offer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<OfferView>, ApiError> {
    Ok(Json(offers::accept(&s.app, &ctx, path_id(&id)?).await?))
}

/// Decline an open offer.
#[utoipa::path(post, path = "/offers/{id}/decline", tag = "collaborations", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = OfferView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn decline_offer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<OfferView>, ApiError> {
    Ok(Json(offers::decline(&s.app, &ctx, path_id(&id)?).await?))
}

/// Withdraw an open offer.
#[utoipa::path(post, path = "/offers/{id}/withdraw", tag = "collaborations", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = OfferView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn withdraw_offer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<OfferView>, ApiError> {
    Ok(Json(offers::withdraw(&s.app, &ctx, path_id(&id)?).await?))
}
