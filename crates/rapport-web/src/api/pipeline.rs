//! `/api/v1/pipeline`: the workspace's stages (read; replace with a write key), moving a
//! creator to a stage, a creator's stage history, and the conversion report.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use rapport_app::creators::CreatorView;
use rapport_app::pipeline::{self, ConversionReport, MoveInput, ReportQuery, StageHistory, StageList, StagesInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pipeline/stages", get(list_stages).put(replace_stages))
        .route("/pipeline/report", get(conversion_report))
        .route("/creators/{id}/stage", post(move_creator))
        .route("/creators/{id}/stage-history", get(stage_history))
}

/// The workspace's stages — main stages in funnel order, then side stages — with how many
/// creators are in each.
#[utoipa::path(get, path = "/pipeline/stages", tag = "pipeline", security(("api_key" = [])),
    responses((status = 200, body = StageList)))]
pub async fn list_stages(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Json<StageList>, ApiError> {
    Ok(Json(pipeline::stage_list(&s.app, &ctx).await?))
}

/// Replace the stage list (a write key; people: owners and admins). Each entry keeps the
/// stage of its `slug` (with a new label or kind) or, without one, adds a stage whose slug
/// is made from the label; a stage left out is removed, which is refused (422, field
/// `stages`) while creators are in it. Main stages keep their order, side stages follow.
#[utoipa::path(put, path = "/pipeline/stages", tag = "pipeline", request_body = StagesInput,
    security(("api_key" = [])),
    responses((status = 200, body = StageList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_stages(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    body: JsonBody,
) -> Result<Json<StageList>, ApiError> {
    let input: StagesInput = body.parse()?;
    Ok(Json(pipeline::set_stages(&s.app, &ctx, input).await?))
}

/// Move a creator to a stage (slug or label), with an optional reason kept in its stage
/// history. `do_not_contact` marks the creator do-not-contact and keeps its stage; moving a
/// do-not-contact creator to a stage clears the flag.
#[utoipa::path(post, path = "/creators/{id}/stage", tag = "pipeline", params(("id" = String, Path)),
    request_body = MoveInput, security(("api_key" = [])),
    responses((status = 200, body = CreatorView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_creator(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CreatorView>, ApiError> {
    let id = path_id(&id)?;
    let input: MoveInput = body.parse()?;
    Ok(Json(pipeline::move_creator(&s.app, &ctx, id, input).await?))
}

/// Every stage change of a creator, newest first: from, to, who, when, why, and the days
/// spent in the stage. (`GET /creators/{id}` has the stage, since when and the time in it.)
#[utoipa::path(get, path = "/creators/{id}/stage-history", tag = "pipeline", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = StageHistory), (status = 404, body = ErrorBody)))]
pub async fn stage_history(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<StageHistory>, ApiError> {
    Ok(Json(pipeline::history(&s.app, &ctx, path_id(&id)?).await?))
}

/// Stage-to-stage conversion over a period (default: the last 90 days): per main stage,
/// creators who entered it, how many later reached the next main stage (or skipped past
/// it), the conversion and the median days spent in the stage.
#[utoipa::path(get, path = "/pipeline/report", tag = "pipeline", params(ReportQuery), security(("api_key" = [])),
    responses((status = 200, body = ConversionReport), (status = 422, body = ErrorBody)))]
pub async fn conversion_report(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<ReportQuery>,
) -> Result<Json<ConversionReport>, ApiError> {
    Ok(Json(pipeline::report(&s.app, &ctx, &q).await?))
}
