//! A campaign's brief for the team: the current version as creators read it, the form
//! that saves the next version (started from the current one, or opened with a playbook
//! brief template), earlier versions, and which creator acknowledged which version.

use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::pages::{Flash, Layout, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::briefs::{self, BriefHistory};
use rapport_app::{campaigns, collaborations, playbook};
use rapport_core::Invalid;
use rapport_core::briefs::BriefInput;
use rapport_core::ids::CampaignId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/brief", get(page).post(save))
        .route("/campaigns/{id}/brief/attachments", post(attach).layer(DefaultBodyLimit::disable()))
}

/// The brief form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BriefForm {
    goals: String,
    key_messages: String,
    dos: String,
    donts: String,
    non_negotiables: String,
    creative_freedom: String,
    references: String,
    template_id: String,
}

#[derive(Template)]
#[template(path = "campaigns/brief.html")]
struct BriefPage {
    layout: Layout,
    campaign_id: String,
    campaign_name: String,
    history: BriefHistory,
    /// (version, creator name, when)
    acks: Vec<(i64, String, String)>,
    templates: Vec<(String, String)>,
    form: BriefForm,
    errors: Invalid,
}

fn form_of(input: BriefInput) -> BriefForm {
    let t = |v: Option<String>| v.unwrap_or_default();
    BriefForm {
        goals: t(input.goals),
        key_messages: t(input.key_messages),
        dos: t(input.dos),
        donts: t(input.donts),
        non_negotiables: t(input.non_negotiables),
        creative_freedom: t(input.creative_freedom),
        references: t(input.references),
        template_id: t(input.template_id),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    id: CampaignId,
    form: Option<BriefForm>,
    errors: Invalid,
) -> Result<BriefPage, PageError> {
    let ctx = session.ctx();
    let campaign = campaigns::get(&state.app, ctx, id).await?;
    let history = briefs::history(&state.app, ctx, id).await?;
    let deals = collaborations::list_for_campaign(&state.app, ctx, id).await?;
    let acks = history
        .acknowledgements
        .iter()
        .map(|a| {
            let who =
                deals.iter().find(|d| d.id == a.collaboration_id).map_or("—".into(), |d| d.creator_name.clone());
            (a.version, who, crate::format::exact(a.acknowledged_at))
        })
        .collect();
    let templates =
        playbook::list(&state.app, ctx, Some("brief")).await?.into_iter().map(|t| (t.id.to_string(), t.name)).collect();
    let form = form.unwrap_or_else(|| history.current.as_ref().map(briefs::editable).map(form_of).unwrap_or_default());
    let layout = Layout::new(state, session, format!("Brief · {}", campaign.name), "campaigns", flash).await?;
    Ok(BriefPage {
        layout,
        campaign_id: id.to_string(),
        campaign_name: campaign.name,
        history,
        acks,
        templates,
        form,
        errors,
    })
}

fn campaign_id(s: &str) -> Result<CampaignId, PageError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(Html(render(&state, &session, flash, campaign_id(&id)?, None, Invalid::new()).await?.render()?).into_response())
}

async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<BriefForm>,
) -> Result<Response, PageError> {
    let id = campaign_id(&id)?;
    let b = f.form.clone();
    let some = |s: &str| Some(s.to_owned());
    let attachments =
        briefs::history(&state.app, f.session.ctx(), id).await?.current.map(|c| c.attachment_ids).unwrap_or_default();
    let input = BriefInput {
        goals: some(&b.goals),
        key_messages: some(&b.key_messages),
        dos: some(&b.dos),
        donts: some(&b.donts),
        non_negotiables: some(&b.non_negotiables),
        creative_freedom: some(&b.creative_freedom),
        references: some(&b.references),
        attachment_ids: Some(attachments),
        template_id: some(&b.template_id),
    };
    match briefs::save(&state.app, f.session.ctx(), id, input).await {
        Ok(v) => Ok(redirect_with_flash(
            &state,
            &format!("/campaigns/{id}/brief"),
            &format!("Brief version {} saved.", v.version),
        )),
        Err(AppError::Invalid(e)) => {
            let page = render(&state, &f.session, Flash(None), id, Some(b), e).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Attaches an uploaded file: the next version is the current one with the file added.
async fn attach(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let id = campaign_id(&id)?;
    let max = usize::try_from(state.app.config.files.max_bytes).unwrap_or(usize::MAX);
    let result = async {
        let upload = crate::pages::upload::read_with(&mut multipart, max, ", the largest file accepted").await?;
        upload.check_csrf(&session).map_err(|e| e.0)?;
        if upload.bytes.is_empty() {
            return Err(Invalid::one("file", "is required: choose a file to attach").into());
        }
        let ctx = session.ctx();
        let current = briefs::history(&state.app, ctx, id)
            .await?
            .current
            .ok_or_else(|| AppError::from(Invalid::one("file", "write the brief first, then attach files to it")))?;
        let file = rapport_app::files::save(&state.app, ctx, &upload.file_name, upload.bytes).await?;
        let mut input = briefs::editable(&current);
        input.attachment_ids.get_or_insert_with(Vec::new).push(file.id.to_string());
        briefs::save(&state.app, ctx, id, input).await
    }
    .await;
    match result {
        Ok(v) => Ok(redirect_with_flash(
            &state,
            &format!("/campaigns/{id}/brief"),
            &format!("File attached: brief version {} saved.", v.version),
        )),
        Err(AppError::Invalid(e)) => {
            let page = render(&state, &session, Flash(None), id, None, e).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
