//! Pipeline pages: the board (a column per stage and one for do-not-contact, filtered
//! like the creator list) and moving a creator — by a card's menu, which is a plain form,
//! by keyboard or by drag and drop (both posting that form), or from the record page. A
//! move into do-not-contact is confirmed first. The conversion report is in [`report`], the
//! stage settings in [`stages`].

mod report;
mod stages;

use super::creators::{Chip, MoveForm, Opt, chips, owner_opts, pairs, platform_opts, url_at};
use super::{Flash, Layout, redirect_with_flash, shortlists::local_path};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format::{compact, exact, initials};
use crate::params::Params;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::creators::{self, CreatorQuery, CreatorView};
use rapport_app::pipeline::{self, ColumnKind, MoveInput};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::ids::CreatorId;
use rapport_core::pipeline::{DO_NOT_CONTACT, days_between, days_text};
use rapport_core::platform::Platform;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pipeline", get(show_board))
        .route("/pipeline/move", post(move_creator))
        .merge(report::router())
        .merge(stages::router())
}

pub struct CardView {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub owner: String,
    /// The largest account: "Instagram 12.5 k".
    pub reach: String,
    /// "12 days", with the exact time the stage began.
    pub in_stage: String,
    pub since: String,
}

pub struct ColumnView {
    pub slug: String,
    /// `main`, `side` or `dnc`.
    pub kind: &'static str,
    pub label: String,
    pub count: String,
    pub cards: Vec<CardView>,
    /// "n more" and the list of the whole column.
    pub more: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "pipeline/board.html")]
struct BoardPage {
    layout: Layout,
    columns: Vec<ColumnView>,
    /// Every column a card can move to: (slug, label).
    targets: Vec<(String, String)>,
    q: CreatorQuery,
    owners: Vec<Opt>,
    platforms: Vec<Opt>,
    chips: Vec<Chip>,
    clear_url: String,
    /// What went wrong (bad filters, a refused move), under `error_title`.
    errors: Vec<String>,
    error_title: &'static str,
    list_url: String,
    /// This page's address, to come back to after a move.
    back: String,
}

fn card(c: &CreatorView, t: time::OffsetDateTime) -> CardView {
    let largest = c.social_accounts.iter().max_by_key(|a| a.followers.unwrap_or(0));
    CardView {
        id: c.id.to_string(),
        name: c.display_name.clone(),
        initials: initials(&c.display_name),
        owner: c.owner_name.clone().unwrap_or_default(),
        reach: largest
            .map(|a| {
                let platform = Platform::parse(&a.platform).map(|p| p.label()).unwrap_or("");
                format!("{platform} {}", a.followers.map(compact).unwrap_or_else(|| "—".into()))
            })
            .unwrap_or_default(),
        in_stage: days_text(days_between(c.stage_entered_at, t)),
        since: exact(c.stage_entered_at),
    }
}

async fn render_board(
    state: &AppState,
    session: &Session,
    flash: Flash,
    q: CreatorQuery,
) -> Result<(StatusCode, BoardPage), PageError> {
    let ctx = session.ctx();
    let (board, errors, status) = match pipeline::board(&state.app, ctx, &q).await {
        Ok(b) => (b, vec![], StatusCode::OK),
        Err(AppError::Invalid(inv)) => {
            let errs = inv.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            (pipeline::board(&state.app, ctx, &CreatorQuery::default()).await?, errs, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    let t = now();
    let columns = board
        .columns
        .iter()
        .map(|col| ColumnView {
            slug: col.slug.clone(),
            kind: match col.kind {
                ColumnKind::Main => "main",
                ColumnKind::Side => "side",
                ColumnKind::DoNotContact => "dnc",
            },
            label: col.label.clone(),
            count: crate::format::grouped(col.total),
            cards: col.cards.iter().map(|c| card(c, t)).collect(),
            more: (col.total > col.cards.len() as i64).then(|| {
                let more = crate::format::grouped(col.total - col.cards.len() as i64);
                (more, url_at("/creators", &pairs(&col.list_query)))
            }),
        })
        .collect();
    let targets = board.columns.iter().map(|c| (c.slug.clone(), c.label.clone())).collect();
    let base = pairs(&q);
    let owners = owner_opts(state, session, q.owner.as_deref()).await?;
    let stages = pipeline::stages(&state.app, ctx).await?;
    let page = BoardPage {
        layout: Layout::new(state, session, "Pipeline", "pipeline", flash).await?,
        columns,
        targets,
        platforms: platform_opts(q.platform.as_deref()),
        chips: chips("/pipeline", &base, &owners, &stages),
        owners,
        clear_url: "/pipeline".into(),
        errors,
        error_title: "Some filters were not understood, so they were ignored:",
        list_url: url_at("/creators", &base),
        back: url_at("/pipeline", &base),
        q,
    };
    Ok((status, page))
}

async fn show_board(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Params(q): Params<CreatorQuery>,
) -> Result<Response, PageError> {
    let (status, page) = render_board(&state, &session, flash, q).await?;
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "pipeline/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    c: CreatorView,
    form: MoveForm,
    back: String,
}

/// Moves a creator (the card menu, drag and drop, the keyboard and the record page all
/// post here), then goes back where it came from.
async fn move_creator(State(state): State<AppState>, f: CsrfForm<MoveForm>) -> Result<Response, PageError> {
    let ctx = f.session.ctx();
    ctx.require_write()?;
    let id: CreatorId = f.form.id.parse().map_err(|_| AppError::NotFound)?;
    let back = if f.form.back.is_empty() { "/pipeline" } else { local_path(&f.form.back) }.to_string();
    let target = f.form.stage.trim();
    if target == DO_NOT_CONTACT && f.form.confirmed != "yes" {
        let c = creators::get(&state.app, ctx, id).await?;
        if !c.do_not_contact {
            let layout = Layout::new(&state, &f.session, "Mark do not contact?", "pipeline", Flash(None)).await?;
            return Ok(Html(ConfirmPage { layout, c, form: f.form.clone(), back }.render()?).into_response());
        }
    }
    let input = MoveInput { stage: Some(target.to_string()), reason: Some(f.form.reason.clone()) };
    match pipeline::move_creator(&state.app, ctx, id, input).await {
        Ok(c) => {
            let message = if c.do_not_contact {
                format!("{} is marked do not contact.", c.display_name)
            } else {
                format!("{} is in {}.", c.display_name, c.stage_label)
            };
            Ok(redirect_with_flash(&state, &back, &message))
        }
        Err(AppError::Invalid(inv)) if back.starts_with("/creators/") => {
            super::creators::rerender_with_move_errors(&state, &f.session, id, f.form, inv).await
        }
        Err(AppError::Invalid(inv)) => board_with_errors(&state, &f.session, &back, inv).await,
        Err(e) => Err(e.into()),
    }
}

/// The board again (with the filters it was showing), saying why a move was refused.
async fn board_with_errors(
    state: &AppState,
    session: &Session,
    back: &str,
    errors: Invalid,
) -> Result<Response, PageError> {
    let query = back.split_once('?').map_or("", |(_, q)| q);
    let q = CreatorQuery::from_query_string(query).unwrap_or_default();
    let (_, mut page) = render_board(state, session, Flash(None), q).await?;
    page.errors = errors.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
    page.error_title = "The creator was not moved:";
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}
