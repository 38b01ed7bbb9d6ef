//! The campaign form (new and edit): the budget typed in major units, lists typed comma
//! separated, the team ticked from the workspace's members; errors inline and summarised
//! at the top, everything typed kept.

use super::parse_id;
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::pages::shortlists::form_values;
use crate::pages::{Flash, Layout, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::campaigns::{self, CampaignView};
use rapport_app::{AppError, members};
use rapport_core::Invalid;
use rapport_core::campaigns::{CampaignInput, DisclosureProfile};
use rapport_core::ids::CampaignId;
use rapport_core::money::{Currency, format_amount, parse_amount};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/new", get(new_campaign))
        .route("/campaigns", post(create_campaign))
        .route("/campaigns/{id}/edit", get(edit_campaign))
        .route("/campaigns/{id}", post(update_campaign))
}

/// The form as posted: every field is text, so nothing typed is lost. The ticked team
/// members arrive as repeated `team` fields, read from the raw body.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignForm {
    pub name: String,
    pub objective: String,
    pub starts_on: String,
    pub ends_on: String,
    pub budget: String,
    pub currency: String,
    pub disclosure_profile: String,
    pub required_hashtags: String,
    pub required_mentions: String,
    pub tags: String,
    #[serde(skip)]
    pub team: Vec<String>,
}

fn list(s: &str) -> Option<Vec<String>> {
    Some(s.split([',', '\n']).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|v| !v.is_empty())
}

impl CampaignForm {
    fn of(v: &CampaignView) -> CampaignForm {
        let currency = Currency::parse(&v.currency).ok();
        CampaignForm {
            name: v.name.clone(),
            objective: v.objective.clone().unwrap_or_default(),
            starts_on: v.starts_on.clone().unwrap_or_default(),
            ends_on: v.ends_on.clone().unwrap_or_default(),
            budget: match (v.budget_minor, currency) {
                (Some(b), Some(c)) => format_amount(b, c),
                _ => String::new(),
            },
            currency: v.currency.clone(),
            disclosure_profile: v.disclosure_profile.clone(),
            required_hashtags: v.required_hashtags.iter().map(|h| format!("#{h}")).collect::<Vec<_>>().join(", "),
            required_mentions: v.required_mentions.iter().map(|m| format!("@{m}")).collect::<Vec<_>>().join(", "),
            tags: v.tags.join(", "),
            team: v.team.iter().map(|m| m.id.to_string()).collect(),
        }
    }

    /// The input for the app layer; a budget that is not an amount is named here.
    fn to_input(&self, errors: &mut Invalid) -> CampaignInput {
        // With a bad currency the app names the currency; the amount waits until it is fixed.
        let budget_minor = match (self.budget.trim(), Currency::parse(&self.currency)) {
            ("", _) | (_, Err(_)) => None,
            (b, Ok(currency)) => parse_amount(b, currency).map_err(|m| errors.add("budget_minor", m)).ok(),
        };
        CampaignInput {
            name: Some(self.name.clone()),
            objective: text(&self.objective),
            starts_on: text(&self.starts_on),
            ends_on: text(&self.ends_on),
            budget_minor,
            currency: text(&self.currency),
            disclosure_profile: text(&self.disclosure_profile),
            required_hashtags: list(&self.required_hashtags),
            required_mentions: list(&self.required_mentions),
            tags: list(&self.tags),
            team_member_ids: Some(self.team.clone()),
        }
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Problem {
    pub field: &'static str,
    pub sentence: String,
}

/// Each field of the form with its label, for the error summary (budget errors from the
/// app name `budget_minor`, shown on the `budget` field).
const LABELS: [(&str, &str, &str); 11] = [
    ("name", "name", "Name"),
    ("objective", "objective", "Objective"),
    ("starts_on", "starts_on", "Start date"),
    ("ends_on", "ends_on", "End date"),
    ("budget_minor", "budget", "Budget"),
    ("currency", "currency", "Currency"),
    ("disclosure_profile", "disclosure_profile", "Disclosure rules"),
    ("required_hashtags", "required_hashtags", "Required hashtags"),
    ("required_mentions", "required_mentions", "Required mentions"),
    ("tags", "tags", "Tags"),
    ("team_member_ids", "team", "Team"),
];

#[derive(Template)]
#[template(path = "campaigns/form.html")]
struct FormPage {
    layout: Layout,
    is_new: bool,
    action: String,
    cancel: String,
    form: CampaignForm,
    profiles: Vec<Choice>,
    team: Vec<Choice>,
    errors: Invalid,
    problems: Vec<Problem>,
}

impl FormPage {
    /// The message for a form field (by its form name).
    fn error(&self, form_field: &str) -> Option<String> {
        LABELS
            .iter()
            .find(|(_, f, _)| *f == form_field)
            .and_then(|(app_field, _, _)| self.errors.message_for(app_field))
            .map(str::to_owned)
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    id: Option<CampaignId>,
    form: CampaignForm,
    errors: Invalid,
) -> Result<String, PageError> {
    let members = members::list(&state.app, session.ctx()).await?;
    let team = members
        .into_iter()
        .map(|m| {
            let value = m.user_id.to_string();
            Choice { selected: form.team.contains(&value), value, label: m.name }
        })
        .collect();
    let profiles = DisclosureProfile::ALL
        .into_iter()
        .map(|p| Choice {
            value: p.slug().into(),
            label: p.label().into(),
            selected: form.disclosure_profile == p.slug(),
        })
        .collect();
    let problems = errors
        .errors
        .iter()
        .map(|e| {
            let (field, label) =
                LABELS.iter().find(|(f, _, _)| *f == e.field).map(|(_, f, l)| (*f, *l)).unwrap_or(("name", "Form"));
            Problem { field, sentence: format!("{label} {}", e.message) }
        })
        .collect();
    let (title, action, cancel) = match id {
        Some(id) => ("Edit campaign", format!("/campaigns/{id}"), format!("/campaigns/{id}")),
        None => ("New campaign", "/campaigns".to_string(), "/campaigns".to_string()),
    };
    let layout = Layout::new(state, session, title, "campaigns", Flash(None)).await?;
    let page = FormPage { layout, is_new: id.is_none(), action, cancel, form, profiles, team, errors, problems };
    Ok(page.render()?)
}

async fn new_campaign(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    session.ctx().require_write()?;
    let form = CampaignForm {
        currency: campaigns::default_currency(&state.app, session.ctx()).await?,
        disclosure_profile: "us".into(),
        ..Default::default()
    };
    Ok(Html(render(&state, &session, None, form, Invalid::new()).await?).into_response())
}

async fn edit_campaign(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    session.ctx().require_write()?;
    let id = parse_id(&id)?;
    let c = campaigns::get(&state.app, session.ctx(), id).await?;
    if c.deleted_at.is_some() {
        return Err(AppError::NotFound.into());
    }
    Ok(Html(render(&state, &session, Some(id), CampaignForm::of(&c), Invalid::new()).await?).into_response())
}

/// Saves the form (create when `id` is `None`), or shows it again with the errors (422).
async fn save(state: &AppState, f: CsrfForm<CampaignForm>, id: Option<CampaignId>) -> Result<Response, PageError> {
    f.session.ctx().require_write()?;
    let mut form = f.form;
    form.team = form_values(&f.raw, "team");
    let mut errors = Invalid::new();
    let input = form.to_input(&mut errors);
    let ctx = f.session.ctx();
    let result = if !errors.is_empty() {
        match campaigns::check(&state.app, ctx, &input).await {
            Err(AppError::Invalid(more)) => errors.errors.extend(more.errors),
            Err(e) => return Err(e.into()),
            Ok(()) => {}
        }
        // In the order of the form.
        errors.errors.sort_by_key(|e| LABELS.iter().position(|(f, _, _)| *f == e.field));
        Err(AppError::Invalid(errors))
    } else if let Some(id) = id {
        campaigns::replace(&state.app, ctx, id, input).await
    } else {
        campaigns::create(&state.app, ctx, input).await
    };
    let errors = match result {
        Ok(c) => {
            let msg = if id.is_some() { "Campaign saved." } else { "Campaign created as a draft." };
            return Ok(redirect_with_flash(state, &format!("/campaigns/{}", c.id), msg));
        }
        Err(AppError::Invalid(inv)) => inv,
        Err(AppError::Conflict { message, field, .. }) => Invalid::one(field.unwrap_or_else(|| "name".into()), message),
        Err(e) => return Err(e.into()),
    };
    let html = render(state, &f.session, id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

async fn create_campaign(State(state): State<AppState>, f: CsrfForm<CampaignForm>) -> Result<Response, PageError> {
    save(&state, f, None).await
}

async fn update_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<CampaignForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    save(&state, f, Some(id)).await
}
