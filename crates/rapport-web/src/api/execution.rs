//! `/api/v1/campaigns/{id}/brief`, `/api/v1/collaborations/{id}/deliverables`,
//! `/api/v1/deliverables`, `/api/v1/submissions` and `/api/v1/review-links`: a campaign's
//! versioned brief and its acknowledgements, the deliverables of a deal with their status
//! machine, drafts submitted for review with decisions and comments, and share links for
//! reviewers without an account.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use rapport_app::briefs::{self, AcknowledgeInput, AcknowledgementView, BriefHistory, BriefView};
use rapport_app::deliverables::{self, DeliverableView, StatusInput};
use rapport_app::reviews::{
    self, CommentInput, CommentView, NewReviewLink, ReviewDetail, ReviewLinkInput, ReviewLinkView, SubmissionView,
};
use rapport_core::briefs::BriefInput;
use rapport_core::deliverables::DeliverableInput;
use rapport_core::reviews::{DecisionInput, SubmissionInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/brief", get(show_brief).post(save_brief))
        .route("/collaborations/{id}/brief/acknowledgements", post(acknowledge_brief))
        .route("/collaborations/{id}/deliverables", get(list_deliverables).post(create_deliverable))
        .route("/deliverables/{id}", get(show_deliverable).patch(update_deliverable))
        .route("/deliverables/{id}/status", post(move_deliverable))
        .route("/deliverables/{id}/submissions", post(submit_draft))
        .route("/deliverables/{id}/review-links", get(list_review_links).post(create_review_link))
        .route("/review-links/{id}", delete(revoke_review_link))
        .route("/submissions/{id}/decision", post(decide_submission))
        .route("/submissions/{id}/comments", post(comment_submission))
        .route("/creators/{id}/portal-link", post(send_portal_link))
}

/// Where a portal sign-in link was sent.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PortalLinkSent {
    pub sent_to: String,
}

/// Email the creator a sign-in link to the creator portal (single use, 30 minutes). 409
/// when the workspace has no SMTP server; 422 when the creator has no email address.
#[utoipa::path(post, path = "/creators/{id}/portal-link", tag = "portal", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 202, body = PortalLinkSent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_portal_link(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<(StatusCode, Json<PortalLinkSent>), ApiError> {
    let origin = s.public_origin(&headers);
    let sent_to = rapport_app::portal::send_link(&s.app, &ctx, path_id(&id)?, &origin).await?;
    Ok((StatusCode::ACCEPTED, Json(PortalLinkSent { sent_to })))
}

/// A campaign's brief: the current version, every version and who acknowledged which.
#[utoipa::path(get, path = "/campaigns/{id}/brief", tag = "briefs", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = BriefHistory), (status = 404, body = ErrorBody)))]
pub async fn show_brief(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<BriefHistory>, ApiError> {
    Ok(Json(briefs::history(&s.app, &ctx, path_id(&id)?).await?))
}

/// Save a new version of a campaign's brief (earlier versions stay as they were).
#[utoipa::path(post, path = "/campaigns/{id}/brief", tag = "briefs", params(("id" = String, Path)),
    request_body = BriefInput, security(("api_key" = [])),
    responses((status = 201, body = BriefView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn save_brief(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<BriefView>), ApiError> {
    let input: BriefInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(briefs::save(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// Record that the creator of a collaboration read version N of the brief.
#[utoipa::path(post, path = "/collaborations/{id}/brief/acknowledgements", tag = "briefs", params(("id" = String, Path)),
    request_body = AcknowledgeInput, security(("api_key" = [])),
    responses((status = 200, body = AcknowledgementView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn acknowledge_brief(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<AcknowledgementView>, ApiError> {
    let input: AcknowledgeInput = body.parse()?;
    Ok(Json(briefs::acknowledge(&s.app, &ctx, path_id(&id)?, input).await?))
}

/// A collaboration's deliverables, in the order they were planned.
#[utoipa::path(get, path = "/collaborations/{id}/deliverables", tag = "deliverables", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<DeliverableView>), (status = 404, body = ErrorBody)))]
pub async fn list_deliverables(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeliverableView>>, ApiError> {
    Ok(Json(deliverables::list_for_collaboration(&s.app, &ctx, path_id(&id)?).await?))
}

/// Plan a deliverable on an open collaboration (status `planned`).
#[utoipa::path(post, path = "/collaborations/{id}/deliverables", tag = "deliverables", params(("id" = String, Path)),
    request_body = DeliverableInput, security(("api_key" = [])),
    responses((status = 201, body = DeliverableView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_deliverable(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<DeliverableView>), ApiError> {
    let input: DeliverableInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(deliverables::create(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// A deliverable with its status history, submissions (each with checklist, disclosure
/// check, decision and comments), revision rounds and median time to decision.
#[utoipa::path(get, path = "/deliverables/{id}", tag = "deliverables", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = ReviewDetail), (status = 404, body = ErrorBody)))]
pub async fn show_deliverable(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<ReviewDetail>, ApiError> {
    Ok(Json(reviews::detail(&s.app, &ctx, path_id(&id)?).await?))
}

/// Change a deliverable's terms (JSON merge patch; `null` clears a field).
#[utoipa::path(patch, path = "/deliverables/{id}", tag = "deliverables", params(("id" = String, Path)),
    request_body = DeliverableInput, security(("api_key" = [])),
    responses((status = 200, body = DeliverableView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_deliverable(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<DeliverableView>, ApiError> {
    Ok(Json(deliverables::patch(&s.app, &ctx, path_id(&id)?, body.0).await?))
}

/// Move a deliverable by hand (`missed`, `cancelled`, `published` with `published_url`,
/// `verified`); a forbidden move is a 409 naming the allowed ones.
#[utoipa::path(post, path = "/deliverables/{id}/status", tag = "deliverables", params(("id" = String, Path)),
    request_body = StatusInput, security(("api_key" = [])),
    responses((status = 200, body = DeliverableView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_deliverable(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<DeliverableView>, ApiError> {
    let input: StatusInput = body.parse()?;
    Ok(Json(deliverables::move_status(&s.app, &ctx, path_id(&id)?, input).await?))
}

/// Submit a draft for review (a new version); the deliverable moves to `draft_submitted`.
#[utoipa::path(post, path = "/deliverables/{id}/submissions", tag = "deliverables", params(("id" = String, Path)),
    request_body = SubmissionInput, security(("api_key" = [])),
    responses((status = 201, body = SubmissionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_draft(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<SubmissionView>), ApiError> {
    let input: SubmissionInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(reviews::submit(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// Approve a submission (every checklist item ticked) or request changes (with feedback).
#[utoipa::path(post, path = "/submissions/{id}/decision", tag = "deliverables", params(("id" = String, Path)),
    request_body = DecisionInput, security(("api_key" = [])),
    responses((status = 200, body = SubmissionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_submission(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<SubmissionView>, ApiError> {
    let input: DecisionInput = body.parse()?;
    Ok(Json(reviews::decide(&s.app, &ctx, path_id(&id)?, input).await?))
}

/// Comment on a submission.
#[utoipa::path(post, path = "/submissions/{id}/comments", tag = "deliverables", params(("id" = String, Path)),
    request_body = CommentInput, security(("api_key" = [])),
    responses((status = 201, body = CommentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn comment_submission(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    let input: CommentInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(reviews::comment(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// A deliverable's share links for external reviewers, newest first.
#[utoipa::path(get, path = "/deliverables/{id}/review-links", tag = "deliverables", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = Vec<ReviewLinkView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_review_links(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReviewLinkView>>, ApiError> {
    Ok(Json(reviews::links(&s.app, &ctx, path_id(&id)?).await?))
}

/// Create a share link through which someone without an account can review and approve
/// the deliverable's drafts until it expires (1–30 days). The secret is shown only here.
#[utoipa::path(post, path = "/deliverables/{id}/review-links", tag = "deliverables", params(("id" = String, Path)),
    request_body = ReviewLinkInput, security(("api_key" = [])),
    responses((status = 201, body = NewReviewLink), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_review_link(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<NewReviewLink>), ApiError> {
    let input: ReviewLinkInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(reviews::create_link(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// Revoke a share link at once.
#[utoipa::path(delete, path = "/review-links/{id}", tag = "deliverables", params(("id" = String, Path)),
    security(("api_key" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_review_link(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    reviews::revoke_link(&s.app, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
