//! Duplicates in the browser: the likely pairs with their reasons, the side-by-side compare
//! page with a choice per field and a preview of what moves, the merge, and its undo.

use super::{Flash, Layout, redirect_with_flash, redirect_with_problem};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::merges::{self, DuplicatePair, MergeId, MergeView, Side};
use rapport_core::ids::CreatorId;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/duplicates", get(index))
        .route("/duplicates/compare", get(compare))
        .route("/duplicates/merge", post(merge))
        .route("/merges/{id}/undo", post(undo))
}

#[derive(Template)]
#[template(path = "duplicates/index.html")]
struct IndexPage {
    layout: Layout,
    pairs: Vec<DuplicatePair>,
    note: Option<String>,
    /// The merge just made, offered for undo.
    merged: Option<MergeView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IndexQuery {
    merged: String,
}

async fn index(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<IndexQuery>,
) -> Result<Response, PageError> {
    let ctx = session.ctx();
    let list = merges::candidates(&state.app, ctx).await?;
    let merged = match q.merged.parse::<MergeId>() {
        Ok(id) => match merges::get(&state.app, ctx, id).await {
            Ok(m) if m.undone_at.is_none() => Some(m),
            Ok(_) | Err(AppError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let layout = Layout::new(&state, &session, "Duplicates", "duplicates", flash).await?;
    Ok(Html(IndexPage { layout, pairs: list.items, note: list.note, merged }.render()?).into_response())
}

/// One field row of the compare page.
struct FieldRow {
    field: &'static str,
    label: &'static str,
    survivor: String,
    loser: String,
    survivor_checked: bool,
    same: bool,
}

#[derive(Template)]
#[template(path = "duplicates/compare.html")]
struct ComparePage {
    layout: Layout,
    survivor_id: String,
    survivor_name: String,
    loser_id: String,
    loser_name: String,
    rows: Vec<FieldRow>,
    /// Unioned values, shown for information.
    unioned: Vec<(String, String)>,
    preview: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompareQuery {
    survivor: String,
    loser: String,
}

fn creator_id(s: &str) -> Result<CreatorId, PageError> {
    s.parse().map_err(|_| PageError(AppError::NotFound))
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => crate::format::json_text(other),
    }
}

async fn render_compare(
    state: &AppState,
    session: &Session,
    flash: Flash,
    survivor: CreatorId,
    loser: CreatorId,
    chosen: &BTreeMap<String, Side>,
    error: Option<String>,
) -> Result<ComparePage, PageError> {
    let cmp = merges::compare(&state.app, session.ctx(), survivor, loser).await?;
    let owner = |v: &rapport_app::creators::CreatorView| v.owner_name.clone().unwrap_or_default();
    let rows = cmp
        .fields
        .iter()
        .map(|f| {
            let (s, l) = if f.field == "owner" {
                (owner(&cmp.survivor), owner(&cmp.loser))
            } else {
                (shown(&f.survivor), shown(&f.loser))
            };
            FieldRow {
                field: f.field,
                label: f.label,
                same: s == l,
                survivor: s,
                loser: l,
                survivor_checked: chosen.get(f.field).copied().unwrap_or(f.default) == Side::Survivor,
            }
        })
        .collect();
    let join = |a: &[String], b: &[String]| {
        let mut all = a.to_vec();
        all.extend(b.iter().filter(|x| !a.contains(x)).cloned());
        all.join(", ")
    };
    let contacts = |v: &rapport_app::creators::CreatorView| -> Vec<String> {
        v.contact_points.iter().map(|p| format!("{} {}", p.kind, p.value)).collect()
    };
    let (s, l) = (&cmp.survivor, &cmp.loser);
    let unioned = vec![
        ("Languages".to_string(), join(&s.languages, &l.languages)),
        ("Niches".to_string(), join(&s.niches, &l.niches)),
        ("Tags".to_string(), join(&s.tags, &l.tags)),
        ("Contact points".to_string(), join(&contacts(s), &contacts(l))),
        ("Do not contact".to_string(), if s.do_not_contact || l.do_not_contact { "Yes".into() } else { "No".into() }),
    ];
    let layout = Layout::new(state, session, "Compare and merge", "duplicates", flash).await?;
    Ok(ComparePage {
        layout,
        survivor_id: survivor.to_string(),
        survivor_name: s.display_name.clone(),
        loser_id: loser.to_string(),
        loser_name: l.display_name.clone(),
        rows,
        unioned,
        preview: cmp.preview.summary(),
        error,
    })
}

async fn compare(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<CompareQuery>,
) -> Result<Response, PageError> {
    let (survivor, loser) = (creator_id(&q.survivor)?, creator_id(&q.loser)?);
    let page = render_compare(&state, &session, flash, survivor, loser, &BTreeMap::new(), None).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MergeForm {
    survivor: String,
    loser: String,
}

/// The field choices in a posted form (`display_name=loser`, …).
fn choices_of(raw: &[u8]) -> BTreeMap<String, Side> {
    url::form_urlencoded::parse(raw)
        .filter(|(k, _)| merges::FIELDS.iter().any(|(f, _)| f == k))
        .filter_map(|(k, v)| {
            let side = match v.as_ref() {
                "loser" => Side::Loser,
                "survivor" => Side::Survivor,
                _ => return None,
            };
            Some((k.into_owned(), side))
        })
        .collect()
}

async fn merge(State(state): State<AppState>, f: CsrfForm<MergeForm>) -> Result<Response, PageError> {
    let (survivor, loser) = (creator_id(&f.form.survivor)?, creator_id(&f.form.loser)?);
    let choices = choices_of(&f.raw);
    match merges::merge(&state.app, f.session.ctx(), survivor, loser, choices.clone()).await {
        Ok(m) => Ok(redirect_with_flash(
            &state,
            &format!("/duplicates?merged={}", m.id),
            &format!("Merged {} into {} ({} moved).", m.loser_name, m.survivor_name, m.moved.summary()),
        )),
        Err(AppError::Invalid(inv)) => {
            let msg = inv.errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
            let page = render_compare(&state, &f.session, Flash(None), survivor, loser, &choices, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn undo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: MergeId = id.parse().map_err(|_| AppError::NotFound)?;
    match merges::undo(&state.app, f.session.ctx(), id).await {
        Ok(m) => {
            let mut msg = format!("Merge undone: {} and {} are separate again.", m.survivor_name, m.loser_name);
            for w in &m.warnings {
                msg.push(' ');
                msg.push_str(w);
            }
            Ok(redirect_with_flash(&state, &format!("/creators/{}", m.survivor_id), &msg))
        }
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with_problem(&state, "/duplicates", &crate::format::sentence(&message)))
        }
        Err(e) => Err(e.into()),
    }
}
