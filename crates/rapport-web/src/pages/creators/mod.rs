//! Creator pages: the record page (profile, fit score and quality signals, accounts with
//! growth sparklines, notes, stage and its history, timeline) and its actions (delete,
//! restore, add/remove account, add/delete note). The list lives in [`list`].

mod interactions;
mod list;
mod tasks;
pub use list::{Chip, Opt, chips, owner_opts, pairs, platform_opts, row, stage_opts, url_at};

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::format::{compact, date, exact, initials, json_text, relative, sparkline};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rapport_app::AppError;
use rapport_app::accounts::AccountView;
use rapport_app::creators::{self, CreatorView};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::creators::AccountInput;
use rapport_core::ids::{AccountId, CreatorId, NoteId};
use rapport_core::pipeline::{DO_NOT_CONTACT, DO_NOT_CONTACT_LABEL, days_between, days_text};
use rapport_core::platform::Platform;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(list::router())
        .merge(tasks::router())
        .merge(interactions::router())
        .route("/creators/{id}", get(show_creator))
        .route("/creators/{id}/delete", post(delete_creator))
        .route("/creators/{id}/restore", post(restore_creator))
        .route("/creators/{id}/accounts", post(create_account))
        .route("/creators/{id}/accounts/{account}/delete", post(delete_account))
        .route("/creators/{id}/notes", post(create_note))
        .route("/creators/{id}/notes/{note}/delete", post(delete_note))
}

pub struct AccountCard {
    pub id: String,
    pub platform: String,
    pub handle: String,
    pub url: Option<String>,
    pub followers: String,
    pub average_views: String,
    pub engagement: String,
    pub basis: String,
    pub audience: String,
    pub quality: String,
    pub source: String,
    pub observed: String,
    pub observed_exact: String,
    pub stale: bool,
    pub spark: Option<String>,
    pub spark_text: String,
}

fn account_card(a: &AccountView, series: &[i64], t: time::OffsetDateTime) -> AccountCard {
    let opt = |v: Option<i64>| v.map(compact).unwrap_or_else(|| "—".into());
    let mut top: Vec<(&String, &f64)> = a.audience.countries.iter().collect();
    top.sort_by(|x, y| y.1.total_cmp(x.1));
    AccountCard {
        id: a.id.to_string(),
        platform: Platform::parse(&a.platform).map(|p| p.label()).unwrap_or("").to_string(),
        handle: a.handle.clone(),
        url: a.url.clone(),
        followers: opt(a.followers),
        average_views: opt(a.average_views),
        engagement: a.engagement_rate_pct.map(|e| format!("{e:.1} %")).unwrap_or_else(|| "—".into()),
        basis: a.engagement_basis.clone(),
        audience: top.iter().take(3).map(|(c, p)| format!("{c} {p:.0} %")).collect::<Vec<_>>().join(" · "),
        quality: a.audience_quality_pct.map(|q| format!("{q:.0} %")).unwrap_or_default(),
        source: a.source.clone(),
        observed: relative(a.observed_at, t),
        observed_exact: exact(a.observed_at),
        stale: a.stale,
        spark: sparkline(series, 96.0, 24.0),
        spark_text: match (series.first(), series.last()) {
            (Some(f), Some(l)) if series.len() > 1 => {
                format!("Followers went from {} to {} over {} observations", compact(*f), compact(*l), series.len())
            }
            _ => String::new(),
        },
    }
}

pub struct NoteItem {
    pub id: String,
    pub body: String,
    pub author: String,
    pub when: String,
    pub when_exact: String,
}

/// One entry of the record's timeline: an event, or an interaction (placed by when it
/// happened).
pub struct EventItem {
    pub icon: &'static str,
    pub text: String,
    pub actor: String,
    pub when: String,
    pub when_exact: String,
    pub changes: Vec<(String, String, String)>,
    pub at: time::OffsetDateTime,
    pub interaction: Option<InteractionItem>,
}

/// What the timeline shows of an interaction.
pub struct InteractionItem {
    pub id: String,
    pub inbound: bool,
    pub subject: Option<String>,
    pub body: String,
    pub participants: Option<String>,
}

/// The icon and words of a timeline action ("added a task").
pub fn describe(action: &str) -> (&'static str, &'static str) {
    match action {
        "creator.created" => ("+", "created this creator"),
        "creator.updated" => ("✎", "updated the profile"),
        "creator.deleted" => ("×", "deleted this creator"),
        "creator.restored" => ("↺", "restored this creator"),
        "account.added" => ("@", "added an account"),
        "account.updated" => ("@", "updated an account"),
        "account.removed" => ("@", "removed an account"),
        "note.added" => ("✉", "added a note"),
        "note.deleted" => ("✉", "deleted a note"),
        "task.created" => ("☐", "added a task"),
        "task.done" => ("☑", "finished a task"),
        "task.reopened" => ("☐", "reopened a task"),
        "task.deleted" => ("×", "deleted a task"),
        "interaction.logged" => ("☏", "logged an interaction"),
        "interaction.deleted" => ("×", "deleted an interaction"),
        "email.queued" => ("✉", "queued an email"),
        "email.sent" => ("✉", "sent an email"),
        "email.failed" => ("⚠", "could not send an email"),
        "email.cancelled" => ("×", "cancelled an email"),
        "email.unsubscribed" => ("⛔", "recorded an unsubscribe"),
        "outreach.override" => ("⚑", "overrode the outreach lock"),
        "creator.merged" => ("⇄", "merged another creator into this one"),
        "creator.merge_undone" => ("↺", "undid a merge"),
        "collaboration.added" => ("⚑", "added them to a campaign"),
        "collaboration.stage_changed" => ("⚑", "moved a campaign collaboration"),
        "offer.made" => ("¤", "recorded an offer"),
        "offer.accepted" => ("¤", "accepted an offer"),
        "offer.declined" => ("¤", "declined an offer"),
        "offer.withdrawn" => ("¤", "withdrew an offer"),
        _ => ("•", "changed something"),
    }
}

#[derive(Template)]
#[template(path = "creators/show.html")]
struct ShowPage {
    layout: Layout,
    c: CreatorView,
    initials: String,
    stage_label: String,
    tier: String,
    followers: String,
    accounts: Vec<AccountCard>,
    notes: Vec<NoteItem>,
    tasks: Vec<rapport_app::tasks::TaskView>,
    task_form: tasks::TaskForm,
    task_errors: Invalid,
    assignees: Vec<Opt>,
    events: Vec<EventItem>,
    more_events: bool,
    platforms: Vec<Opt>,
    account_form: AccountForm,
    account_errors: Invalid,
    note_body: String,
    note_error: Option<String>,
    created: String,
    languages: String,
    niches: String,
    custom_fields: Vec<(String, String)>,
    /// Shortlists the creator is on: (id, name).
    on_lists: Vec<(String, String)>,
    /// Hand-picked lists it could be added to.
    other_lists: Vec<(String, String)>,
    /// "for 12 days", with the exact time it began.
    stage_for: String,
    stage_since: String,
    history: Vec<HistoryItem>,
    /// Where the creator can be moved: the stages, then do-not-contact.
    move_opts: Vec<Opt>,
    move_form: MoveForm,
    move_errors: Invalid,
    log: interactions::LogChoices,
    interaction_form: interactions::InteractionForm,
    interaction_errors: Invalid,
    resp: rapport_app::interactions::ResponsivenessView,
    last_contact: Option<(String, String)>,
    cadence_value: String,
    cadence_error: Option<String>,
    campaigns: crate::pages::campaigns::CreatorCampaigns,
}

/// One change in the stage history.
pub struct HistoryItem {
    pub to: String,
    pub from: Option<String>,
    pub actor: String,
    pub when: String,
    pub when_exact: String,
    pub days: String,
    pub reason: Option<String>,
}

/// The record page's "move to another stage" form as posted.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MoveForm {
    pub id: String,
    pub stage: String,
    pub reason: String,
    /// `yes` once a move into the do-not-contact column was confirmed.
    pub confirmed: String,
    /// Where to go afterwards (a path of this site).
    pub back: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub handle: String,
    #[serde(default)]
    pub followers: String,
    #[serde(default)]
    pub average_views: String,
    #[serde(default)]
    pub engagement_rate_pct: String,
}

/// Parses the numeric fields of an account form, naming bad ones.
pub fn account_input(f: &AccountForm, prefix: &str, errors: &mut Invalid) -> AccountInput {
    let int = |errors: &mut Invalid, name: &str, v: &str| -> Option<i64> {
        let v = v.trim().replace([' ', '\u{2009}', ',', '_'], "");
        if v.is_empty() {
            return None;
        }
        v.parse().map_err(|_| errors.add(format!("{prefix}{name}"), "must be a whole number")).ok()
    };
    let pct = f.engagement_rate_pct.trim().trim_end_matches('%').trim().replace(',', ".");
    AccountInput {
        platform: Some(f.platform.clone()).filter(|p| !p.is_empty()),
        handle: Some(f.handle.clone()),
        followers: int(errors, "followers", &f.followers),
        average_views: int(errors, "average_views", &f.average_views),
        engagement_rate_pct: if pct.is_empty() {
            None
        } else {
            pct.parse()
                .map_err(|_| errors.add(format!("{prefix}engagement_rate_pct"), "must be a number such as 3.5"))
                .ok()
        },
        ..Default::default()
    }
}

/// What the record page's own forms hold when re-shown with errors.
#[derive(Default)]
struct PageForms {
    account_form: AccountForm,
    account_errors: Invalid,
    note_body: String,
    note_error: Option<String>,
    task_form: tasks::TaskForm,
    task_errors: Invalid,
    move_form: MoveForm,
    move_errors: Invalid,
    interaction_form: interactions::InteractionForm,
    interaction_errors: Invalid,
    /// The cadence as typed, when re-shown with an error.
    cadence_value: Option<String>,
    cadence_error: Option<String>,
}

async fn render_show(
    state: &AppState,
    session: &Session,
    flash: Flash,
    id: CreatorId,
    forms: PageForms,
) -> Result<ShowPage, PageError> {
    let PageForms {
        account_form,
        account_errors,
        note_body,
        note_error,
        task_form,
        task_errors,
        move_form,
        move_errors,
        interaction_form,
        interaction_errors,
        cadence_value,
        cadence_error,
    } = forms;
    let assignees = tasks::assignee_opts(state, session, &task_form.assignee_id).await?;
    let task_list = tasks::of_creator(state, session, id).await?;
    let campaigns = crate::pages::campaigns::of_creator(state, session, id).await?;
    let ctx = session.ctx();
    let c = creators::get_with_insights(&state.app, ctx, id).await?;
    let t = now();
    let ids: Vec<AccountId> = c.social_accounts.iter().map(|a| a.id).collect();
    let series = rapport_app::accounts::follower_series(&state.app, ctx, &ids).await?;
    let accounts = c.social_accounts.iter().zip(series.iter()).map(|(a, (_, s))| account_card(a, s, t)).collect();
    let notes = rapport_app::notes::list(&state.app, ctx, id)
        .await?
        .into_iter()
        .map(|n| NoteItem {
            id: n.id.to_string(),
            body: n.body,
            author: n.author_label,
            when: relative(n.created_at, t),
            when_exact: exact(n.created_at),
        })
        .collect();
    let page = rapport_app::timeline::list_for_creator(&state.app, ctx, id, None, 30).await?;
    let (logged, more_logged) = interactions::timeline_items(state, session, id, t).await?;
    let mut events: Vec<EventItem> = page
        .items
        .into_iter()
        // The interaction itself stands in the timeline at the time it happened.
        .filter(|e| e.action != "interaction.logged")
        .map(|e| {
            let (icon, text) = describe(&e.action);
            EventItem {
                icon,
                text: text.to_string(),
                actor: e.actor_label,
                when: relative(e.occurred_at, t),
                when_exact: exact(e.occurred_at),
                changes: e
                    .changes
                    .iter()
                    .filter(|ch| e.action != "creator.created" || !ch.after.is_null())
                    .map(|ch| (ch.field.replace('_', " "), json_text(&ch.before), json_text(&ch.after)))
                    .collect(),
                at: e.occurred_at,
                interaction: None,
            }
        })
        .chain(logged)
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    events.truncate(interactions::SHOWN as usize);
    let resp = interactions::figures(state, session, id).await?;
    let on_lists: Vec<(String, String)> = rapport_app::shortlists::of_creator(&state.app, ctx, id)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let other_lists = rapport_app::shortlists::list(&state.app, ctx)
        .await?
        .into_iter()
        .filter(|l| l.kind == "static" && !on_lists.iter().any(|(id, _)| *id == l.id.to_string()))
        .map(|l| (l.id.to_string(), l.name))
        .collect();
    let history = rapport_app::pipeline::history(&state.app, ctx, id)
        .await?
        .items
        .iter()
        .map(|h| HistoryItem {
            to: h.to_label.clone(),
            from: h.from_label.clone(),
            actor: h.actor_label.clone(),
            when: relative(h.changed_at, t),
            when_exact: exact(h.changed_at),
            days: days_text(h.days_in_stage),
            reason: h.reason.clone(),
        })
        .collect();
    let stages = rapport_app::pipeline::stages(&state.app, ctx).await?;
    let mut move_opts = stage_opts(&stages, Some(if move_form.stage.is_empty() { &c.stage } else { &move_form.stage }));
    move_opts.push(Opt {
        value: DO_NOT_CONTACT.into(),
        label: DO_NOT_CONTACT_LABEL.into(),
        selected: move_form.stage == DO_NOT_CONTACT,
    });
    let layout = Layout::new(state, session, c.display_name.clone(), "creators", flash).await?;
    Ok(ShowPage {
        stage_for: format!("for {}", days_text(days_between(c.stage_entered_at, t))),
        stage_since: exact(c.stage_entered_at),
        history,
        move_opts,
        move_form,
        move_errors,
        layout,
        initials: initials(&c.display_name),
        stage_label: c.stage_label.clone(),
        tier: c.tier.map(|t| t.slug().to_string()).unwrap_or_default(),
        followers: compact(c.max_followers),
        accounts,
        notes,
        tasks: task_list,
        task_form,
        task_errors,
        assignees,
        events,
        more_events: page.next_cursor.is_some() || more_logged,
        log: interactions::log_choices(&interaction_form, t),
        interaction_form,
        interaction_errors,
        last_contact: resp.last_contact_at.map(|at| (relative(at, t), exact(at))),
        cadence_value: cadence_value
            .unwrap_or_else(|| resp.touch_every_days.map(|n| n.to_string()).unwrap_or_default()),
        cadence_error,
        resp,
        platforms: platform_opts(Some(account_form.platform.as_str())),
        account_form,
        account_errors,
        note_body,
        note_error,
        created: date(c.created_at),
        languages: c.languages.join(", "),
        niches: c.niches.join(", "),
        custom_fields: c.custom_fields.iter().map(|(k, v)| (k.replace('_', " "), json_text(v))).collect(),
        on_lists,
        other_lists,
        campaigns,
        c,
    })
}

async fn show_creator(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let page = render_show(&state, &session, flash, id, PageForms::default()).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn delete_creator(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let c = creators::get(&state.app, f.session.ctx(), id).await?;
    creators::delete(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/creators/{id}"),
        &format!("{} was deleted. You can restore them from this page.", c.display_name),
    ))
}

async fn restore_creator(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let c = creators::restore(&state.app, f.session.ctx(), id).await?;
    Ok(redirect_with_flash(&state, &format!("/creators/{id}"), &format!("{} was restored.", c.display_name)))
}

async fn create_account(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<AccountForm>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let mut errors = Invalid::new();
    let input = account_input(&f.form, "", &mut errors);
    let result = if errors.is_empty() {
        rapport_app::accounts::add(&state.app, f.session.ctx(), id, input).await.map(|_| ())
    } else {
        Err(AppError::Invalid(errors))
    };
    let account_errors = match result {
        Ok(()) => return Ok(redirect_with_flash(&state, &format!("/creators/{id}#accounts"), "Account added.")),
        Err(AppError::Invalid(inv)) => inv,
        Err(AppError::Conflict { message, .. }) => Invalid::one("handle", message),
        Err(e) => return Err(e.into()),
    };
    rerender(&state, &f.session, id, PageForms { account_form: f.form, account_errors, ..Default::default() }).await
}

/// The record page again, with one form's errors and what was typed in it (422).
async fn rerender(state: &AppState, session: &Session, id: CreatorId, forms: PageForms) -> Result<Response, PageError> {
    let page = render_show(state, session, Flash(None), id, forms).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// The record page again, with the move form's errors and what was typed (422).
pub async fn rerender_with_move_errors(
    state: &AppState,
    session: &Session,
    id: CreatorId,
    form: MoveForm,
    errors: Invalid,
) -> Result<Response, PageError> {
    rerender(state, session, id, PageForms { move_form: form, move_errors: errors, ..Default::default() }).await
}

async fn delete_account(
    State(state): State<AppState>,
    Path((id, account)): Path<(String, String)>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let account: AccountId = account.parse().map_err(|_| AppError::NotFound)?;
    rapport_app::accounts::remove(&state.app, f.session.ctx(), id, account).await?;
    Ok(redirect_with_flash(&state, &format!("/creators/{id}#accounts"), "Account removed."))
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    body: String,
}

async fn create_note(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<NoteForm>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let input = rapport_app::notes::NoteInput { body: Some(f.form.body.clone()) };
    match rapport_app::notes::add(&state.app, f.session.ctx(), id, input).await {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/creators/{id}#notes"), "Note added.")),
        Err(AppError::Invalid(inv)) => {
            let note_error = inv.message_for("body").map(str::to_owned);
            let forms = PageForms { note_body: f.form.body, note_error, ..Default::default() };
            rerender(&state, &f.session, id, forms).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_note(
    State(state): State<AppState>,
    Path((id, note)): Path<(String, String)>,
    f: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id: CreatorId = id.parse().map_err(|_| AppError::NotFound)?;
    let note: NoteId = note.parse().map_err(|_| AppError::NotFound)?;
    rapport_app::notes::delete(&state.app, f.session.ctx(), id, note).await?;
    Ok(redirect_with_flash(&state, &format!("/creators/{id}#notes"), "Note deleted."))
}
