//! The creator form (new and edit): inline errors next to each field and in a summary at
//! the top, everything typed kept, duplicates named with a link to the existing creator.

use super::creators::{AccountForm, Opt, account_input, platform_opts, stage_opts};
use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::creators::{self, CreatorView, editable};
use rapport_app::{AppError, members};
use rapport_core::Invalid;
use rapport_core::creators::{ContactInput, CreatorInput};
use rapport_core::ids::{CreatorId, UserId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/new", get(new_creator))
        .route("/creators", post(create_creator))
        .route("/creators/{id}/edit", get(edit_creator))
        .route("/creators/{id}", post(update_creator))
}

/// The form as posted: every field is text, so nothing typed is ever lost.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CreatorForm {
    pub display_name: String,
    pub legal_name: String,
    pub pronouns: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub country: String,
    pub city: String,
    pub languages: String,
    pub timezone: String,
    pub niches: String,
    pub tags: String,
    pub stage: String,
    pub owner_id: String,
    pub source: String,
    pub bio: String,
    pub tone_notes: String,
    pub do_not_contact: Option<String>,
    pub account_platform: String,
    pub account_handle: String,
    pub account_followers: String,
    pub account_engagement_rate_pct: String,
}

fn list(s: &str) -> Option<Vec<String>> {
    Some(s.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|v| !v.is_empty())
}

impl CreatorForm {
    fn from_view(c: &CreatorView) -> Self {
        let first = |kind: &str| c.first_contact(kind).unwrap_or_default().to_string();
        CreatorForm {
            display_name: c.display_name.clone(),
            legal_name: c.legal_name.clone().unwrap_or_default(),
            pronouns: c.pronouns.clone().unwrap_or_default(),
            email: first("email"),
            phone: first("phone"),
            website: first("website"),
            country: c.country.clone().unwrap_or_default(),
            city: c.city.clone().unwrap_or_default(),
            languages: c.languages.join(", "),
            timezone: c.timezone.clone().unwrap_or_default(),
            niches: c.niches.join(", "),
            tags: c.tags.join(", "),
            stage: c.stage.clone(),
            owner_id: c.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            source: c.source.clone().unwrap_or_default(),
            bio: c.bio.clone().unwrap_or_default(),
            tone_notes: c.tone_notes.clone().unwrap_or_default(),
            do_not_contact: c.do_not_contact.then(|| "on".into()),
            ..Default::default()
        }
    }

    /// The input for the app layer, laid over `base` (the stored creator when editing, so
    /// fields the form does not show — other contact points, custom fields — are kept).
    /// Returns the form field each contact point came from, to place errors.
    fn to_input(&self, base: Option<CreatorInput>, errors: &mut Invalid) -> (CreatorInput, Vec<&'static str>) {
        let mut input = base.unwrap_or_default();
        input.display_name = text(&self.display_name);
        input.legal_name = text(&self.legal_name);
        input.pronouns = text(&self.pronouns);
        input.country = text(&self.country);
        input.city = text(&self.city);
        input.languages = list(&self.languages);
        input.timezone = text(&self.timezone);
        input.niches = list(&self.niches);
        input.tags = list(&self.tags);
        input.stage = text(&self.stage);
        input.owner_id = text(&self.owner_id);
        input.source = text(&self.source);
        input.bio = text(&self.bio);
        input.tone_notes = text(&self.tone_notes);
        input.do_not_contact = Some(self.do_not_contact.is_some());
        // The form edits the primary email, the first phone and the first website.
        let mut others: Vec<ContactInput> = input.contact_points.take().unwrap_or_default();
        let mut taken = |kind: &str, primary_only: bool| {
            if let Some(i) = others.iter().position(|p| p.kind.as_deref() == Some(kind) && (!primary_only || p.primary))
            {
                others.remove(i);
            }
        };
        taken("email", true);
        taken("phone", false);
        taken("website", false);
        let mut contacts = Vec::new();
        let mut fields = Vec::new();
        for (kind, value, field, primary) in [
            ("email", &self.email, "email", true),
            ("phone", &self.phone, "phone", false),
            ("website", &self.website, "website", false),
        ] {
            if let Some(v) = text(value) {
                contacts.push(ContactInput { kind: Some(kind.into()), value: Some(v), primary });
                fields.push(field);
            }
        }
        if !contacts.iter().any(|c| c.primary) {
            for o in others.iter_mut() {
                o.primary = false;
            }
        } else {
            for o in others.iter_mut().filter(|o| o.kind.as_deref() == Some("email")) {
                o.primary = false;
            }
        }
        fields.extend(others.iter().map(|_| "email"));
        contacts.extend(others);
        input.contact_points = Some(contacts);
        let has_account = !self.account_handle.trim().is_empty() || !self.account_platform.is_empty();
        if has_account {
            let af = AccountForm {
                platform: self.account_platform.clone(),
                handle: self.account_handle.clone(),
                followers: self.account_followers.clone(),
                average_views: String::new(),
                engagement_rate_pct: self.account_engagement_rate_pct.clone(),
            };
            input.social_accounts = Some(vec![account_input(&af, "social_accounts.0.", errors)]);
        }
        (input, fields)
    }
}

/// Maps an app-layer field path to the form field that shows it.
fn form_field(path: &str, contact_fields: &[&'static str]) -> String {
    if let Some(rest) = path.strip_prefix("contact_points.") {
        let idx: Option<usize> = rest.split('.').next().and_then(|i| i.parse().ok());
        return idx.and_then(|i| contact_fields.get(i)).unwrap_or(&"email").to_string();
    }
    if let Some(rest) = path.strip_prefix("social_accounts.0.") {
        let name = rest.split('.').next().unwrap_or(rest);
        return format!("account_{name}");
    }
    path.split('.').next().unwrap_or(path).to_string()
}

/// One form field with its value and error.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub help: &'static str,
    pub required: bool,
    pub error: Option<String>,
    pub options: Vec<Opt>,
    pub wide: bool,
    pub autocomplete: &'static str,
}

pub struct Section {
    pub title: &'static str,
    pub fields: Vec<Field>,
}

/// An error in the summary, linking to its field.
pub struct Problem {
    pub field: String,
    pub label: String,
    pub message: String,
    pub existing: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "creators/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    cancel: String,
    is_new: bool,
    sections: Vec<Section>,
    problems: Vec<Problem>,
}

struct Errors {
    by_field: Vec<(String, String)>,
    existing: Option<(String, String, String)>,
}

impl Errors {
    fn none() -> Self {
        Errors { by_field: vec![], existing: None }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.by_field.iter().find(|(f, _)| f == name).map(|(_, m)| m.clone())
    }
}

#[allow(clippy::too_many_arguments)]
fn field(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: &str,
    help: &'static str,
    errors: &Errors,
    required: bool,
    autocomplete: &'static str,
) -> Field {
    Field {
        name,
        label,
        kind,
        value: value.to_string(),
        help,
        required,
        error: errors.get(name),
        options: vec![],
        wide: kind == "textarea",
        autocomplete,
    }
}

fn select(name: &'static str, label: &'static str, options: Vec<Opt>, errors: &Errors, help: &'static str) -> Field {
    Field {
        name,
        label,
        kind: "select",
        value: String::new(),
        help,
        required: false,
        error: errors.get(name),
        options,
        wide: false,
        autocomplete: "off",
    }
}

async fn render_form(
    state: &AppState,
    session: &Session,
    form: &CreatorForm,
    errors: Errors,
    editing: Option<CreatorId>,
) -> Result<FormPage, PageError> {
    let e = &errors;
    let members = members::list(&state.app, session.ctx()).await?;
    let stages = rapport_app::pipeline::stages(&state.app, session.ctx()).await?;
    let mut owner_items =
        vec![Opt { value: String::new(), label: "No owner".into(), selected: form.owner_id.is_empty() }];
    owner_items.extend(members.into_iter().map(|m| Opt {
        selected: form.owner_id == m.user_id.to_string(),
        value: m.user_id.to_string(),
        label: m.name,
    }));
    let mut sections = vec![
        Section {
            title: "Profile",
            fields: vec![
                field(
                    "display_name",
                    "Display name",
                    "text",
                    &form.display_name,
                    "How the creator is known publicly.",
                    e,
                    true,
                    "off",
                ),
                field(
                    "legal_name", "Legal name", "text", &form.legal_name, "For contracts and payments.", e, false,
                    "off",
                ),
                field("pronouns", "Pronouns", "text", &form.pronouns, "", e, false, "off"),
                field("bio", "Bio", "textarea", &form.bio, "", e, false, "off"),
            ],
        },
        Section {
            title: "Contact",
            fields: vec![
                field(
                    "email",
                    "Email",
                    "email",
                    &form.email,
                    "The primary email; it must be unique in this workspace.",
                    e,
                    false,
                    "off",
                ),
                field(
                    "phone",
                    "Phone",
                    "tel",
                    &form.phone,
                    "International format, e.g. +49 30 1234567.",
                    e,
                    false,
                    "off",
                ),
                field("website", "Website", "url", &form.website, "", e, false, "off"),
            ],
        },
        Section {
            title: "Location and language",
            fields: vec![
                field(
                    "country",
                    "Country",
                    "text",
                    &form.country,
                    "Two-letter code, e.g. DE, US, BR.",
                    e,
                    false,
                    "off",
                ),
                field("city", "City", "text", &form.city, "", e, false, "off"),
                field(
                    "languages",
                    "Languages",
                    "text",
                    &form.languages,
                    "Comma-separated codes, e.g. en, de.",
                    e,
                    false,
                    "off",
                ),
                field("timezone", "Time zone", "text", &form.timezone, "e.g. Europe/Berlin.", e, false, "off"),
            ],
        },
        Section {
            title: "Relationship",
            fields: vec![
                select(
                    "stage",
                    "Stage",
                    stage_opts(
                        &stages,
                        Some(if form.stage.is_empty() { stages.initial() } else { form.stage.as_str() }),
                    ),
                    e,
                    "",
                ),
                select("owner_id", "Owner", owner_items, e, "The teammate who looks after this relationship."),
                field("niches", "Niches", "text", &form.niches, "Comma-separated, e.g. food, travel.", e, false, "off"),
                field("tags", "Tags", "text", &form.tags, "Comma-separated.", e, false, "off"),
                field("source", "Source", "text", &form.source, "How you found them.", e, false, "off"),
                field(
                    "tone_notes",
                    "Tone and values",
                    "textarea",
                    &form.tone_notes,
                    "What they stand for; topics to avoid.",
                    e,
                    false,
                    "off",
                ),
                field(
                    "do_not_contact",
                    "Do not contact",
                    "checkbox",
                    if form.do_not_contact.is_some() { "on" } else { "" },
                    "Nobody in the team may reach out.",
                    e,
                    false,
                    "off",
                ),
            ],
        },
    ];
    if editing.is_none() {
        sections.push(Section {
            title: "First social account (optional)",
            fields: vec![
                select(
                    "account_platform",
                    "Platform",
                    {
                        let mut p = vec![Opt {
                            value: String::new(),
                            label: "—".into(),
                            selected: form.account_platform.is_empty(),
                        }];
                        p.extend(platform_opts(Some(form.account_platform.as_str())));
                        p
                    },
                    e,
                    "",
                ),
                field(
                    "account_handle", "Handle or profile URL", "text", &form.account_handle, "@name or https://…", e,
                    false, "off",
                ),
                field(
                    "account_followers", "Followers", "text", &form.account_followers, "A whole number.", e, false,
                    "off",
                ),
                field(
                    "account_engagement_rate_pct",
                    "Engagement rate (%)",
                    "text",
                    &form.account_engagement_rate_pct,
                    "e.g. 3.5",
                    e,
                    false,
                    "off",
                ),
            ],
        });
    }
    let labels: Vec<(&str, &str)> = sections.iter().flat_map(|s| s.fields.iter().map(|f| (f.name, f.label))).collect();
    let problems = errors
        .by_field
        .iter()
        .map(|(f, m)| Problem {
            label: labels.iter().find(|(n, _)| n == f).map(|(_, l)| l.to_string()).unwrap_or_else(|| f.clone()),
            field: f.clone(),
            message: m.clone(),
            existing: errors
                .existing
                .as_ref()
                .filter(|(ef, _, _)| ef == f)
                .map(|(_, id, name)| (id.clone(), name.clone())),
        })
        .collect();
    let (title, action, cancel) = match editing {
        Some(id) => (format!("Edit {}", form.display_name), format!("/creators/{id}"), format!("/creators/{id}")),
        None => ("New creator".to_string(), "/creators".to_string(), "/creators".to_string()),
    };
    let layout = Layout::new(state, session, title, "creators", Flash(None)).await?;
    Ok(FormPage { layout, action, cancel, is_new: editing.is_none(), sections, problems })
}

async fn new_creator(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    session.ctx().require_write()?;
    let form = CreatorForm { owner_id: UserId(session.s.user.id).to_string(), ..Default::default() };
    let page = render_form(&state, &session, &form, Errors::none(), None).await?;
    Ok(Html(page.render()?).into_response())
}

async fn edit_creator(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    session.ctx().require_write()?;
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let c = creators::get(&state.app, session.ctx(), id).await?;
    if c.deleted_at.is_some() {
        return Err(AppError::NotFound.into());
    }
    let page = render_form(&state, &session, &CreatorForm::from_view(&c), Errors::none(), Some(id)).await?;
    Ok(Html(page.render()?).into_response())
}

/// Turns an app error into inline form errors, or passes it on.
fn form_errors(e: AppError, contact_fields: &[&'static str]) -> Result<Errors, AppError> {
    match e {
        AppError::Invalid(inv) => Ok(Errors {
            by_field: inv.errors.iter().map(|f| (form_field(&f.field, contact_fields), f.message.clone())).collect(),
            existing: None,
        }),
        AppError::Conflict { message, field: Some(field), existing } => {
            let f = form_field(&field, contact_fields);
            Ok(Errors { existing: existing.map(|x| (f.clone(), x.id, x.display_name)), by_field: vec![(f, message)] })
        }
        other => Err(other),
    }
}

async fn create_creator(State(state): State<AppState>, f: CsrfForm<CreatorForm>) -> Result<Response, PageError> {
    let mut parse_errors = Invalid::new();
    let (input, contact_fields) = f.form.to_input(None, &mut parse_errors);
    let result = if parse_errors.is_empty() {
        creators::create(&state.app, f.session.ctx(), input).await
    } else {
        // Report the unparseable numbers together with every other problem.
        if let Err(more) = creators::check(&input) {
            parse_errors.errors.extend(more.errors);
        }
        Err(AppError::Invalid(parse_errors))
    };
    match result {
        Ok(c) => {
            Ok(redirect_with_flash(&state, &format!("/creators/{}", c.id), &format!("{} was added.", c.display_name)))
        }
        Err(e) => {
            let errors = form_errors(e, &contact_fields)?;
            let page = render_form(&state, &f.session, &f.form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}

async fn update_creator(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<CreatorForm>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let current = creators::get(&state.app, f.session.ctx(), id).await?;
    let mut parse_errors = Invalid::new();
    let (input, contact_fields) = f.form.to_input(Some(editable(&current)), &mut parse_errors);
    match creators::replace(&state.app, f.session.ctx(), id, input).await {
        Ok(c) => Ok(redirect_with_flash(&state, &format!("/creators/{id}"), &format!("{} was saved.", c.display_name))),
        Err(e) => {
            let errors = form_errors(e, &contact_fields)?;
            let page = render_form(&state, &f.session, &f.form, errors, Some(id)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}
