//! Settings → Pipeline stages (owners and admins): rename, reorder (by an order number),
//! switch between main and side, add and remove stages; one form, saved as a whole.
//! Slugs never change; a stage with creators in it cannot be removed.

use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::pages::{Flash, Layout, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rapport_app::AppError;
use rapport_app::pipeline::{self, StageList, StagesInput};
use rapport_core::Invalid;
use rapport_core::pipeline::{StageInput, StageKind};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/pipeline", get(stages_page).post(save_stages))
}

/// One row of the form, as shown or as posted (`key` is its index, or `new`).
#[derive(Debug, Clone, Default)]
pub struct StageRow {
    pub key: String,
    pub slug: String,
    pub label: String,
    pub kind: String,
    pub order: String,
    pub remove: bool,
    /// Creators in the stage, deleted ones included (0 for a new row).
    pub creators: i64,
    pub errors: BTreeMap<String, String>,
}

impl StageRow {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "settings/pipeline.html")]
struct StagesPage {
    layout: Layout,
    rows: Vec<StageRow>,
    new_row: StageRow,
    problems: Vec<String>,
}

fn rows_of(list: &StageList) -> Vec<StageRow> {
    list.stages
        .iter()
        .enumerate()
        .map(|(i, s)| StageRow {
            key: i.to_string(),
            slug: s.slug.clone(),
            label: s.label.clone(),
            kind: s.kind.slug().to_string(),
            order: (i + 1).to_string(),
            creators: s.creators + s.deleted_creators,
            ..Default::default()
        })
        .collect()
}

fn new_row(order: usize) -> StageRow {
    StageRow { key: "new".into(), kind: StageKind::Main.slug().into(), order: order.to_string(), ..Default::default() }
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    rows: Vec<StageRow>,
    new_row: StageRow,
    problems: Vec<String>,
) -> Result<StagesPage, PageError> {
    let layout = Layout::new(state, session, "Pipeline stages", "stages", flash).await?;
    Ok(StagesPage { layout, rows, new_row, problems })
}

async fn stages_page(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    session.ctx().require_admin()?;
    let rows = rows_of(&pipeline::stage_list(&state.app, session.ctx()).await?);
    let new = new_row(rows.len() + 1);
    Ok(Html(render(&state, &session, flash, rows, new, vec![]).await?.render()?).into_response())
}

#[derive(Deserialize)]
struct Fields {}

/// The posted rows (`label.0`, `kind.0`, `order.0`, `slug.0`, `remove.0`, …, `label.new`…),
/// each with the creator count it had when shown.
fn posted(raw: &[u8], shown: &[StageRow]) -> (Vec<StageRow>, StageRow) {
    let mut rows: BTreeMap<String, StageRow> = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(raw) {
        let Some((field, key)) = name.split_once('.') else { continue };
        let row =
            rows.entry(key.to_string()).or_insert_with(|| StageRow { key: key.to_string(), ..Default::default() });
        match field {
            "slug" => row.slug = value.into_owned(),
            "label" => row.label = value.into_owned(),
            "kind" => row.kind = value.into_owned(),
            "order" => row.order = value.into_owned(),
            "remove" => row.remove = true,
            _ => {}
        }
    }
    let new = rows.remove("new").unwrap_or_else(|| new_row(rows.len() + 1));
    let mut rows: Vec<StageRow> = rows.into_values().collect();
    rows.sort_by_key(|r| r.key.parse::<usize>().unwrap_or(usize::MAX));
    for r in rows.iter_mut() {
        r.creators = shown.iter().find(|s| s.slug == r.slug).map_or(0, |s| s.creators);
    }
    (rows, new)
}

/// The list to save, in the order asked for, and which form row each entry came from. A
/// row given the number of another goes before it (typing 2 puts a stage second).
fn to_input(rows: &mut [StageRow], new: &mut StageRow) -> (Vec<StageInput>, Vec<String>) {
    let mut kept: Vec<(i64, bool, usize, &mut StageRow)> = Vec::new();
    for (i, r) in rows.iter_mut().chain(std::iter::once(new)).enumerate() {
        let is_new = r.key == "new";
        if r.remove || (is_new && r.label.trim().is_empty()) {
            continue;
        }
        let order = match r.order.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                r.errors.insert("order".into(), "must be a whole number".into());
                i as i64 + 1
            }
        };
        let stayed = r.key.parse::<i64>().is_ok_and(|k| k + 1 == order);
        kept.push((order, stayed, i, r));
    }
    kept.sort_by_key(|(order, stayed, i, _)| (*order, *stayed, *i));
    let input = kept
        .iter()
        .map(|(_, _, _, r)| StageInput {
            slug: Some(r.slug.clone()).filter(|s| !s.is_empty()),
            label: Some(r.label.clone()),
            kind: Some(r.kind.clone()),
        })
        .collect();
    (input, kept.into_iter().map(|(_, _, _, r)| r.key.clone()).collect())
}

/// "Paused: label is the name of another stage", for the summary above the form.
fn problem(r: &StageRow, field: &str, message: &str) -> String {
    let name = if r.label.trim().is_empty() { "The new stage" } else { r.label.as_str() };
    format!("{name}: {field} {message}")
}

/// Puts the app's errors on the rows they name (`stages.{i}.{field}`); the others, about
/// the whole list, go to the summary only.
fn place_errors(inv: &Invalid, keys: &[String], rows: &mut [StageRow], new: &mut StageRow, problems: &mut Vec<String>) {
    for e in &inv.errors {
        let place = e.field.strip_prefix("stages.").and_then(|rest| rest.split_once('.'));
        let key = place.and_then(|(i, _)| i.parse::<usize>().ok()).and_then(|i| keys.get(i));
        let row = key.and_then(|k| rows.iter_mut().chain(std::iter::once(&mut *new)).find(|r| r.key == *k));
        match (row, place) {
            (Some(r), Some((_, field))) => {
                problems.push(problem(r, field, &e.message));
                r.errors.insert(field.to_string(), e.message.clone());
            }
            _ => problems.push(crate::format::sentence(&e.message)),
        }
    }
}

async fn save_stages(State(state): State<AppState>, f: CsrfForm<Fields>) -> Result<Response, PageError> {
    let ctx = f.session.ctx();
    ctx.require_admin()?;
    let shown = rows_of(&pipeline::stage_list(&state.app, ctx).await?);
    let (mut rows, mut new) = posted(&f.raw, &shown);
    let (input, keys) = to_input(&mut rows, &mut new);
    let mut problems: Vec<String> = rows
        .iter()
        .chain(std::iter::once(&new))
        .flat_map(|r| r.errors.iter().map(move |(field, m)| problem(r, field, m)))
        .collect();
    if problems.is_empty() {
        match pipeline::set_stages(&state.app, ctx, StagesInput { stages: Some(input) }).await {
            Ok(_) => return Ok(redirect_with_flash(&state, "/settings/pipeline", "Stages saved.")),
            Err(AppError::Invalid(inv)) => place_errors(&inv, &keys, &mut rows, &mut new, &mut problems),
            Err(e) => return Err(e.into()),
        }
    }
    // A stage that could not be removed says why where its box was ticked.
    for r in rows.iter_mut().filter(|r| r.remove && r.creators > 0) {
        let n = r.creators;
        r.errors.insert("remove".into(), format!("still has {n} creator{}", if n == 1 { "" } else { "s" }));
    }
    let page = render(&state, &f.session, Flash(None), rows, new, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}
