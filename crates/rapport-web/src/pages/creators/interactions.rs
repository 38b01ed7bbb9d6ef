//! Interactions on the creator record page: the log form (re-shown with inline errors and
//! what was typed), deleting one, the one timeline that mixes interactions with the record's
//! events in time order, and the responsiveness card with its next-touch cadence form.

use super::{Empty, EventItem, Opt, PageForms, platform_opts, rerender};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format::{exact, relative};
use crate::pages::redirect_with_flash;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use rapport_app::AppError;
use rapport_app::interactions::{self, InteractionInput, InteractionView, ResponsivenessView};
use rapport_core::Invalid;
use rapport_core::ids::{CreatorId, InteractionId};
use rapport_core::interactions::{Channel, Direction};
use rapport_core::platform::Platform;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/creators/{id}/interactions", post(log_interaction))
        .route("/interactions/{interaction}/delete", post(delete_interaction))
        .route("/creators/{id}/cadence", post(set_cadence))
}

/// How many interactions the record page's timeline shows.
pub const SHOWN: i64 = 30;

/// The log form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InteractionForm {
    pub channel: String,
    pub direction: String,
    pub platform: String,
    /// `YYYY-MM-DDTHH:MM`, UTC.
    pub occurred_at: String,
    pub subject: String,
    pub body: String,
}

/// The cadence form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CadenceForm {
    pub touch_every_days: String,
}

/// Options for the log form's selects, with the typed value selected.
pub struct LogChoices {
    pub channels: Vec<Opt>,
    pub directions: Vec<Opt>,
    pub platforms: Vec<Opt>,
    /// What the date-time field shows: what was typed, else now (UTC).
    pub occurred_at: String,
}

pub fn log_choices(form: &InteractionForm, now: OffsetDateTime) -> LogChoices {
    let opts = |all: Vec<(&str, &str)>, current: &str| -> Vec<Opt> {
        all.into_iter().map(|(v, l)| Opt { value: v.into(), label: l.into(), selected: v == current }).collect()
    };
    let channel = if form.channel.is_empty() { "email" } else { form.channel.as_str() };
    let direction = if form.direction.is_empty() { "outbound" } else { form.direction.as_str() };
    let mut platforms = platform_opts(Some(form.platform.as_str()));
    if let Some(first) = platforms.first_mut() {
        first.label = "— (not a DM)".into();
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    LogChoices {
        channels: opts(Channel::ALL.iter().map(|c| (c.slug(), c.label())).collect(), channel),
        directions: opts(Direction::ALL.iter().map(|d| (d.slug(), d.label())).collect(), direction),
        platforms,
        occurred_at: if form.occurred_at.is_empty() {
            now.format(&fmt).unwrap_or_default()
        } else {
            form.occurred_at.clone()
        },
    }
}

/// An interaction as a timeline entry.
pub fn event_item(v: InteractionView, now: OffsetDateTime) -> EventItem {
    let channel = Channel::parse(&v.channel).map(|c| c.label()).unwrap_or("Interaction");
    let inbound = v.direction == Direction::Inbound.slug();
    let icon = match v.channel.as_str() {
        "email" => "✉",
        "dm" => "💬",
        "call" => "☏",
        "meeting" => "◷",
        _ => "•",
    };
    let platform = v.platform.as_deref().and_then(|p| Platform::parse(p).ok()).map(|p| p.label());
    let text = match (platform, inbound) {
        (Some(p), true) => format!("{channel} on {p} from the creator"),
        (Some(p), false) => format!("{channel} on {p} from us"),
        (None, true) => format!("{channel} from the creator"),
        (None, false) => format!("{channel} from us"),
    };
    EventItem {
        icon,
        text,
        actor: String::new(),
        when: relative(v.occurred_at, now),
        when_exact: exact(v.occurred_at),
        changes: vec![],
        at: v.occurred_at,
        interaction: Some(super::InteractionItem {
            id: v.id.to_string(),
            inbound,
            subject: v.subject,
            body: v.body,
            participants: v.participants,
        }),
    }
}

/// The creator's latest interactions, as timeline entries.
pub async fn timeline_items(
    state: &AppState,
    session: &Session,
    id: CreatorId,
    now: OffsetDateTime,
) -> Result<(Vec<EventItem>, bool), PageError> {
    let list = interactions::latest(&state.app, session.ctx(), id, SHOWN).await?;
    let more = list.len() as i64 >= SHOWN;
    Ok((list.into_iter().map(|v| event_item(v, now)).collect(), more))
}

/// The responsiveness card's figures.
pub async fn figures(state: &AppState, session: &Session, id: CreatorId) -> Result<ResponsivenessView, PageError> {
    Ok(interactions::responsiveness(&state.app, session.ctx(), id).await?)
}

async fn log_interaction(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<InteractionForm>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let form = f.form;
    let text = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    let input = InteractionInput {
        channel: Some(form.channel.clone()),
        direction: Some(form.direction.clone()),
        platform: text(&form.platform),
        subject: text(&form.subject),
        body: Some(form.body.clone()),
        occurred_at: text(&form.occurred_at),
        participants: None,
    };
    match interactions::log(&state.app, f.session.ctx(), id, input).await {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/creators/{id}#timeline"), "Interaction logged.")),
        Err(AppError::Invalid(interaction_errors)) => {
            let forms = PageForms { interaction_form: form, interaction_errors, ..Default::default() };
            rerender(&state, &f.session, id, forms).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_interaction(
    State(state): State<AppState>,
    Path(interaction): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let interaction: InteractionId = interaction.parse().map_err(|_| AppError::NotFound)?;
    let creator = interactions::delete(&state.app, f.session.ctx(), interaction).await?;
    Ok(redirect_with_flash(&state, &format!("/creators/{creator}#timeline"), "Interaction deleted."))
}

async fn set_cadence(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<CadenceForm>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let typed = f.form.touch_every_days.trim().to_owned();
    let value = if typed.is_empty() {
        Ok(serde_json::Value::Null)
    } else {
        typed.parse::<i64>().map(|n| json!(n)).map_err(|_| rapport_core::creators::cadence_message())
    };
    let result = match value {
        Ok(v) => rapport_app::creators::patch(&state.app, f.session.ctx(), id, json!({ "touch_every_days": v }))
            .await
            .map(|_| ()),
        Err(m) => Err(Invalid::one("touch_every_days", m).into()),
    };
    match result {
        Ok(()) => {
            let flash = if typed.is_empty() { "Cadence removed." } else { "Cadence saved." };
            Ok(redirect_with_flash(&state, &format!("/creators/{id}#touch"), flash))
        }
        Err(AppError::Invalid(inv)) => {
            // Saving re-checks the whole record: a problem elsewhere is shown here too.
            let cadence_error = inv
                .message_for("touch_every_days")
                .map(str::to_owned)
                .or_else(|| inv.errors.first().map(|e| format!("could not be saved: {} {}", e.field, e.message)));
            let forms = PageForms { cadence_value: Some(typed), cadence_error, ..Default::default() };
            rerender(&state, &f.session, id, forms).await
        }
        Err(e) => Err(e.into()),
    }
}
