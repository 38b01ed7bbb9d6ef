//! The campaign board's actions: adding a creator (by name or id) from the campaign page,
//! moving a card to another stage with its menu, and the creator page's small "Campaigns"
//! card with its "Add to campaign" form.

use super::{ShowForms, parse_id, rerender};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::pages::{redirect_with_flash, redirect_with_problem};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use rapport_app::AppError;
use rapport_app::campaigns::{self, CampaignQuery};
use rapport_app::collaborations::{self, StageInput};
use rapport_core::Invalid;
use rapport_core::collaborations::{CollaborationInput, Stage};
use rapport_core::ids::{CollaborationId, CreatorId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/collaborations", post(add_from_campaign))
        .route("/collaborations/{id}/stage", post(move_card))
        .route("/creators/{id}/campaigns", post(add_from_creator))
}

/// The "add a creator" form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AddForm {
    creator: String,
}

fn new_collaboration(creator: CreatorId) -> CollaborationInput {
    CollaborationInput { creator_id: Some(creator.to_string()), ..Default::default() }
}

async fn add_from_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<AddForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let ctx = f.session.ctx();
    ctx.require_write()?;
    let typed = f.form.creator.clone();
    let added = match collaborations::resolve_creator(&state.app, ctx, &typed).await {
        Ok(creator) => collaborations::add(&state.app, ctx, id, new_collaboration(creator)).await,
        Err(e) => Err(e),
    };
    let (status, add_errors) = match added {
        Ok(c) => {
            let msg = format!("{} was added to the campaign as invited.", c.creator_name);
            return Ok(redirect_with_flash(&state, &format!("/campaigns/{id}#board"), &msg));
        }
        // A creator id of another workspace names nobody here.
        Err(AppError::NotFound) => (StatusCode::UNPROCESSABLE_ENTITY, Invalid::one("creator", "names no creator here")),
        Err(AppError::Invalid(inv)) => (StatusCode::UNPROCESSABLE_ENTITY, inv),
        Err(AppError::Conflict { message, .. }) => (StatusCode::CONFLICT, Invalid::one("creator", message)),
        Err(e) => return Err(e.into()),
    };
    let forms = ShowForms { add_creator: typed, add_errors, ..Default::default() };
    rerender(&state, &f.session, id, status, forms).await
}

/// The card menu: `stage` to move to.
#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    stage: String,
}

async fn move_card(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<MoveForm>,
) -> Result<Response, PageError> {
    let id: CollaborationId = id.parse().map_err(|_| AppError::NotFound)?;
    let ctx = f.session.ctx();
    let input = StageInput { stage: Some(f.form.stage.clone()), reason: None };
    let (status, problem) = match collaborations::move_stage(&state.app, ctx, id, input).await {
        Ok(c) => {
            let msg = format!("{} moved to {}.", c.creator_name, c.stage_label);
            return Ok(redirect_with_flash(&state, &format!("/campaigns/{}#board", c.campaign_id), &msg));
        }
        Err(AppError::Conflict { message, .. }) => (StatusCode::CONFLICT, crate::format::sentence(&message)),
        Err(AppError::Invalid(inv)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            inv.errors.first().map(|e| format!("Stage {}.", e.message)).unwrap_or_default(),
        ),
        Err(e) => return Err(e.into()),
    };
    let campaign = collaborations::get(&state.app, ctx, id).await?.collaboration.campaign_id;
    rerender(&state, &f.session, campaign, status, ShowForms { problem: Some(problem), ..Default::default() }).await
}

/// The creator page's card: its collaborations and the campaigns it could join.
#[derive(Default)]
pub struct CreatorCampaigns {
    /// (campaign id, campaign name, stage label).
    pub on: Vec<(String, String, String)>,
    /// Draft or active campaigns it is not on: (id, name).
    pub open: Vec<(String, String)>,
}

/// The creator page's campaigns card.
pub async fn of_creator(state: &AppState, session: &Session, id: CreatorId) -> Result<CreatorCampaigns, PageError> {
    let ctx = session.ctx();
    let mine = collaborations::list_for_creator(&state.app, ctx, id).await?;
    let mut open = Vec::new();
    for status in ["draft", "active"] {
        let q = CampaignQuery { status: Some(status.into()), deleted: None };
        for c in campaigns::list(&state.app, ctx, &q).await? {
            if !mine.iter().any(|m| m.campaign_id == c.id) {
                open.push((c.id.to_string(), c.name));
            }
        }
    }
    let on = mine
        .into_iter()
        .map(|m| {
            let label = Stage::parse(&m.stage).map(|s| s.label()).unwrap_or_default().to_string();
            (m.campaign_id.to_string(), m.campaign_name, label)
        })
        .collect();
    Ok(CreatorCampaigns { on, open })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreatorAddForm {
    campaign: String,
}

async fn add_from_creator(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<CreatorAddForm>,
) -> Result<Response, PageError> {
    let creator: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    f.session.ctx().require_write()?;
    let back = format!("/creators/{creator}#campaigns");
    let Ok(campaign) = parse_id(&f.form.campaign) else {
        return Ok(redirect_with_problem(&state, &back, "Choose a campaign first."));
    };
    match collaborations::add(&state.app, f.session.ctx(), campaign, new_collaboration(creator)).await {
        Ok(c) => Ok(redirect_with_flash(&state, &back, &format!("Added to “{}” as invited.", c.campaign_name))),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with_problem(&state, &back, &crate::format::sentence(&message)))
        }
        Err(e) => Err(e.into()),
    }
}
