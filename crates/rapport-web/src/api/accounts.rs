//! `/api/v1/creators/{id}/accounts`: a creator's social accounts and their metric history.

use super::{JsonBody, path_id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use rapport_app::accounts::{self, AccountView, SnapshotView};
use rapport_core::creators::AccountInput;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/accounts", get(list_accounts).post(create_account))
        .route("/creators/{id}/accounts/{account}", axum::routing::patch(update_account).delete(delete_account))
        .route("/creators/{id}/accounts/{account}/snapshots", get(list_snapshots))
}

/// A creator's accounts, largest following first.
#[utoipa::path(get, path = "/creators/{id}/accounts", tag = "accounts", params(("id" = String, Path)),
    security(("api_key" = [])), responses((status = 200, body = Vec<AccountView>), (status = 404, body = ErrorBody)))]
pub async fn list_accounts(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    let creator = rapport_app::creators::get(&s.app, &ctx, path_id(&id)?).await?;
    Ok(Json(creator.social_accounts))
}

/// Add an account. `handle` takes "@name", "name" or a profile URL.
#[utoipa::path(post, path = "/creators/{id}/accounts", tag = "accounts", params(("id" = String, Path)),
    request_body = AccountInput, security(("api_key" = [])),
    responses((status = 201, body = AccountView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_account(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    let input: AccountInput = body.parse()?;
    Ok((StatusCode::CREATED, Json(accounts::add(&s.app, &ctx, path_id(&id)?, input).await?)))
}

/// Change an account with a JSON merge patch; new metrics are kept as a snapshot.
#[utoipa::path(patch, path = "/creators/{id}/accounts/{account}", tag = "accounts",
    params(("id" = String, Path), ("account" = String, Path)), request_body = AccountInput,
    security(("api_key" = [])),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_account(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((id, account)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(accounts::patch(&s.app, &ctx, path_id(&id)?, path_id(&account)?, body.0).await?))
}

/// Remove an account (its snapshots go with it).
#[utoipa::path(delete, path = "/creators/{id}/accounts/{account}", tag = "accounts",
    params(("id" = String, Path), ("account" = String, Path)), security(("api_key" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_account(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((id, account)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    accounts::remove(&s.app, &ctx, path_id(&id)?, path_id(&account)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's metric snapshots, oldest first.
#[utoipa::path(get, path = "/creators/{id}/accounts/{account}/snapshots", tag = "accounts",
    params(("id" = String, Path), ("account" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = Vec<SnapshotView>), (status = 404, body = ErrorBody)))]
pub async fn list_snapshots(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((id, account)): Path<(String, String)>,
) -> Result<Json<Vec<SnapshotView>>, ApiError> {
    Ok(Json(accounts::snapshots(&s.app, &ctx, path_id(&id)?, path_id(&account)?).await?))
}
