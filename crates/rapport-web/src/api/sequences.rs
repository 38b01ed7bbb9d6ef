//! `/api/v1/sequences`: follow-up sequences, enrolling creators, and their enrolments.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::sequences::{self, EnrollInput, EnrollResult, EnrollmentView, SequenceInput, SequenceView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sequences", get(list_sequences).post(create_sequence))
        .route("/sequences/{id}", get(show_sequence).patch(update_sequence).delete(delete_sequence))
        .route("/sequences/{id}/enrollments", get(list_enrollments).post(enroll_creators))
        .route("/enrollments/{enrollment}/stop", post(stop_enrollment))
        .route("/creators/{id}/enrollments", get(creator_enrollments))
}

/// The workspace's sequences with their steps.
#[utoipa::path(get, path = "/sequences", tag = "email", security(("api_key" = [])),
    responses((status = 200, body = Vec<SequenceView>)))]
pub async fn list_sequences(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Vec<SequenceView>>, ApiError> {
    Ok(Json(sequences::list(&s.app, &ctx).await?))
}

/// Create a sequence: `{name, steps: [{template_id, delay_days}]}` — the first step goes
/// out on enrolment (`delay_days` 0), each later one that many days after the previous.
#[utoipa::path(post, path = "/sequences", tag = "email", request_body = SequenceInput, security(("api_key" = [])),
    responses((status = 201, body = SequenceView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_sequence(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<(StatusCode, Json<SequenceView>), ApiError> {
    let input: SequenceInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(sequences::create(&s.app, &ctx, input).await?)))
}

/// One sequence.
#[utoipa::path(get, path = "/sequences/{id}", tag = "email", params(("id" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = SequenceView), (status = 404, body = ErrorBody)))]
pub async fn show_sequence(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<SequenceView>, ApiError> {
    Ok(Json(sequences::get(&s.app, &ctx, path_id(&id)?).await?))
}

/// Rename a sequence and/or replace its steps.
#[utoipa::path(patch, path = "/sequences/{id}", tag = "email", params(("id" = String, Path)),
    request_body = SequenceInput, security(("api_key" = [])),
    responses((status = 200, body = SequenceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_sequence(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<SequenceView>, ApiError> {
    let input: SequenceInput = body.parse()?;
    Ok(Json(sequences::update(&s.app, &ctx, path_id(&id)?, input).await?))
}

/// Delete a sequence; its active enrolments stop.
#[utoipa::path(delete, path = "/sequences/{id}", tag = "email", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_sequence(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    sequences::delete(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A sequence's enrolments, newest first.
#[utoipa::path(get, path = "/sequences/{id}/enrollments", tag = "email", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<EnrollmentView>), (status = 404, body = ErrorBody)))]
pub async fn list_enrollments(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<EnrollmentView>>, ApiError> {
    Ok(Json(sequences::enrollments(&s.app, &ctx, Some(path_id(&id)?), None).await?))
}

/// Enrol creators: each gets the first step now, or is listed in `refused` with the reason
/// (do not contact, suppressed, the outreach lock, personalisation, already enrolled).
#[utoipa::path(post, path = "/sequences/{id}/enrollments", tag = "email", params(("id" = String, Path)),
    request_body = EnrollInput, security(("api_key" = [])),
    responses((status = 200, body = EnrollResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn enroll_creators(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Json<EnrollResult>, ApiError> {
    let input: EnrollInput = body.parse()?;
    let origin = s.public_origin(&headers);
    Ok(Json(sequences::enroll(&s.app, &ctx, path_id(&id)?, input, &origin).await?))
}

/// Stop an enrolment by hand.
#[utoipa::path(post, path = "/enrollments/{enrollment}/stop", tag = "email", params(("enrollment" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = EnrollmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn stop_enrollment(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(enrollment): Path<String>,
) -> Result<Json<EnrollmentView>, ApiError> {
    Ok(Json(sequences::stop(&s.app, &ctx, path_id(&enrollment)?).await?))
}

/// A creator's sequence enrolments.
#[utoipa::path(get, path = "/creators/{id}/enrollments", tag = "email", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<EnrollmentView>), (status = 404, body = ErrorBody)))]
pub async fn creator_enrollments(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<EnrollmentView>>, ApiError> {
    Ok(Json(sequences::enrollments(&s.app, &ctx, None, Some(path_id(&id)?)).await?))
}
