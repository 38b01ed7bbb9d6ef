//! Shortlists in the browser: the index of saved searches and hand-picked lists, saving
//! the current search, and bulk add/remove from the creator list.

use super::{Flash, Layout, redirect_with_flash, redirect_with_problem};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format::{grouped, relative};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::shortlists::{self, MembersInput, ShortlistInput};
use rapport_core::actor::now;
use rapport_core::ids::ShortlistId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shortlists", get(index).post(create))
        .route("/shortlists/{id}/delete", post(delete))
        .route("/shortlists/members", post(change_members))
}

pub struct ListRow {
    pub id: String,
    pub name: String,
    pub saved_search: bool,
    pub summary: String,
    pub open_url: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "shortlists/index.html")]
struct IndexPage {
    layout: Layout,
    lists: Vec<ListRow>,
    error: Option<String>,
    name: String,
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    error: Option<String>,
    name: String,
) -> Result<IndexPage, PageError> {
    let t = now();
    // A saved search is summed up as the list page's chips name its filters.
    let owners = super::creators::owner_opts(state, session, None).await?;
    let stages = rapport_app::pipeline::stages(&state.app, session.ctx()).await?;
    let summary_of = |query: &str| {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .filter(|(k, v)| !v.trim().is_empty() && !matches!(k.as_str(), "cursor" | "facets" | "total"))
            .collect();
        let chips = super::creators::chips("/creators", &pairs, &owners, &stages);
        let labels: Vec<String> = chips.into_iter().map(|c| c.label).collect();
        if labels.is_empty() { "All creators".to_string() } else { labels.join(" · ") }
    };
    let lists = shortlists::list(&state.app, session.ctx())
        .await?
        .into_iter()
        .map(|l| {
            let saved = l.kind == "saved_search";
            ListRow {
                open_url: if saved {
                    format!("/creators?{}", l.query)
                } else {
                    format!("/creators?shortlist={}", l.id)
                },
                summary: if saved {
                    summary_of(&l.query)
                } else {
                    let n = format!("{} {}", grouped(l.members), if l.members == 1 { "creator" } else { "creators" });
                    match l.do_not_contact {
                        0 => n,
                        d => format!("{n} ({} do-not-contact, hidden when opened)", grouped(d)),
                    }
                },
                id: l.id.to_string(),
                name: l.name,
                saved_search: saved,
                updated: relative(l.updated_at, t),
            }
        })
        .collect();
    let layout = Layout::new(state, session, "Shortlists", "shortlists", flash).await?;
    Ok(IndexPage { layout, lists, error, name })
}

async fn index(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    Ok(Html(render(&state, &session, flash, None, String::new()).await?.render()?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    name: String,
    kind: String,
    query: String,
}

async fn create(State(state): State<AppState>, f: CsrfForm<CreateForm>) -> Result<Response, PageError> {
    let input = ShortlistInput {
        name: Some(f.form.name.clone()),
        kind: Some(if f.form.kind.is_empty() { "static".into() } else { f.form.kind.clone() }),
        query: Some(f.form.query.clone()),
    };
    match shortlists::create(&state.app, f.session.ctx(), input).await {
        Ok(l) if l.kind == "saved_search" => Ok(redirect_with_flash(
            &state,
            &format!("/creators?{}", l.query),
            &format!("Search saved as “{}”.", l.name),
        )),
        Ok(l) => Ok(redirect_with_flash(
            &state,
            "/shortlists",
            &format!("List “{}” created. Add creators from the creator list.", l.name),
        )),
        Err(AppError::Invalid(inv)) => {
            let msg = inv.errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
            let page = render(&state, &f.session, Flash(None), Some(msg), f.form.name).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: ShortlistId = id.parse().map_err(|_| AppError::NotFound)?;
    shortlists::delete(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, "/shortlists", "Shortlist deleted. Its creators are untouched."))
}

/// Bulk add or remove: `list`, `action` (`add` or `remove`), the ticked `id`s or
/// `all_query` for every result, and `back`, the page to return to.
#[derive(Deserialize, Default)]
#[serde(default)]
struct MembersForm {
    list: String,
    action: String,
    all_query: String,
    back: String,
}

async fn change_members(State(state): State<AppState>, f: CsrfForm<MembersForm>) -> Result<Response, PageError> {
    let back = local_path(&f.form.back).to_string();
    let Ok(list) = f.form.list.parse::<ShortlistId>() else {
        return Ok(redirect_with_problem(&state, &back, "Choose a list first."));
    };
    let everything = f.form.action.ends_with("_all");
    let ids = if everything { vec![] } else { form_values(&f.raw, "id") };
    let input = members_input(ids, everything.then(|| f.form.all_query.clone()));
    let ctx = f.session.ctx();
    let result = if f.form.action.starts_with("remove") {
        shortlists::remove(&state.app, ctx, list, input).await.map(|n| format!("Removed {n} from the list."))
    } else {
        shortlists::add(&state.app, ctx, list, input)
            .await
            .map(|n| format!("Added {n} to the list (creators already on it are skipped)."))
    };
    match result {
        Ok(msg) => Ok(redirect_with_flash(&state, &back, &msg)),
        Err(AppError::Invalid(inv)) => Ok(redirect_with_problem(
            &state,
            &back,
            &inv.errors.first().map(|e| crate::format::sentence(&e.message)).unwrap_or_default(),
        )),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with_problem(&state, &back, &crate::format::sentence(&message)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads repeated form fields, which the typed form extractor cannot.
pub fn form_values(body: &Bytes, key: &str) -> Vec<String> {
    url::form_urlencoded::parse(body).filter(|(k, _)| k == key).map(|(_, v)| v.into_owned()).collect()
}

/// A safe place to go back to: a path on this site only. Browsers drop tabs and line breaks
/// from a URL and read `\` as `/`, so `/\t/evil.example` would leave the site: a path holding
/// any control character, space or backslash is refused too.
pub fn local_path(back: &str) -> &str {
    let odd = back.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if back.starts_with('/') && !back.starts_with("//") && !odd { back } else { "/creators" }
}

pub fn members_input(ids: Vec<String>, all_query: Option<String>) -> MembersInput {
    MembersInput { creator_ids: ids, query: all_query.filter(|q| !q.is_empty()) }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_a_path_on_this_site_is_a_place_to_go_back_to() {
        for ok in ["/creators?country=DE&sort=-followers", "/pipeline", "/campaigns/cp_1/board"] {
            assert_eq!(local_path(ok), ok);
        }
        for bad in [
            "//evil.example", "/\t/evil.example/x", "/\n/evil.example", "/\\evil.example", "https://evil.example",
            "/ /x", "",
        ] {
            assert_eq!(local_path(bad), "/creators", "{bad:?}");
        }
    }
}
