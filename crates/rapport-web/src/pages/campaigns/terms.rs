//! Editing a deal's terms on a page: owner-independent terms only — fee model, agreed
//! fee, product value, commission, usage rights, exclusivity and due dates — typed in the
//! campaign's currency and saved as a merge patch; errors come back inline.

use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::pages::{Flash, Layout, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rapport_app::AppError;
use rapport_app::collaborations::{self, CollaborationView};
use rapport_core::Invalid;
use rapport_core::collaborations::FeeModel;
use rapport_core::ids::CollaborationId;
use rapport_core::money::{Currency, format_amount, parse_amount};
use serde::Deserialize;
use serde_json::{Map, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/collaborations/{id}/terms", get(page).post(save))
}

/// The terms as typed: amounts in major units, the commission in per cent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TermsForm {
    fee_model: String,
    agreed_fee: String,
    product_value: String,
    commission_percent: String,
    usage_rights: String,
    exclusivity: String,
    exclusivity_ends_on: String,
    draft_due_on: String,
    publish_due_on: String,
}

#[derive(Template)]
#[template(path = "campaigns/terms.html")]
struct TermsPage {
    layout: Layout,
    deal: CollaborationView,
    models: Vec<(&'static str, &'static str)>,
    form: TermsForm,
    errors: Invalid,
}

fn form_of(c: &CollaborationView) -> TermsForm {
    let money = |m: Option<i64>| {
        m.and_then(|m| Currency::parse(&c.currency).ok().map(|cur| format_amount(m, cur))).unwrap_or_default()
    };
    TermsForm {
        fee_model: c.fee_model.clone(),
        agreed_fee: money(c.agreed_fee_minor),
        product_value: money(c.product_value_minor),
        commission_percent: c
            .commission_rate_bp
            .map(|bp| if bp % 100 == 0 { format!("{}", bp / 100) } else { format!("{}.{:02}", bp / 100, bp % 100) })
            .unwrap_or_default(),
        usage_rights: c.usage_rights.clone().unwrap_or_default(),
        exclusivity: c.exclusivity.clone().unwrap_or_default(),
        exclusivity_ends_on: c.exclusivity_ends_on.clone().unwrap_or_default(),
        draft_due_on: c.draft_due_on.clone().unwrap_or_default(),
        publish_due_on: c.publish_due_on.clone().unwrap_or_default(),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    id: CollaborationId,
    form: Option<TermsForm>,
    errors: Invalid,
) -> Result<TermsPage, PageError> {
    let deal = collaborations::get(&state.app, session.ctx(), id).await?.collaboration;
    let title = format!("Terms · {} · {}", deal.creator_name, deal.campaign_name);
    let layout = Layout::new(state, session, title, "campaigns", Flash(None)).await?;
    let models = FeeModel::ALL.iter().map(|m| (m.slug(), m.label())).collect();
    Ok(TermsPage { layout, form: form.unwrap_or_else(|| form_of(&deal)), deal, models, errors })
}

fn deal_id(s: &str) -> Result<CollaborationId, PageError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

async fn page(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Response, PageError> {
    Ok(Html(render(&state, &session, deal_id(&id)?, None, Invalid::new()).await?.render()?).into_response())
}

/// Commission in per cent ("12.5") as basis points (1250).
fn basis_points(text: &str) -> Result<i64, String> {
    let t = text.trim().trim_end_matches('%').trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    let bad = || "must be a percentage such as 12.5".to_string();
    if frac.len() > 2 || whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    Ok(w * 100 + f)
}

async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: CsrfForm<TermsForm>,
) -> Result<Response, PageError> {
    let id = deal_id(&id)?;
    let t = f.form.clone();
    let deal = collaborations::get(&state.app, f.session.ctx(), id).await?.collaboration;
    let currency = Currency::parse(&deal.currency).map_err(AppError::Internal)?;
    let mut e = Invalid::new();
    let mut patch = Map::new();
    let text = |s: &str| if s.trim().is_empty() { Value::Null } else { Value::String(s.trim().to_owned()) };
    let mut amount = |field: &str, s: &str| match s.trim() {
        "" => Value::Null,
        v => parse_amount(v, currency).map(Value::from).unwrap_or_else(|m| {
            e.add(field, m);
            Value::Null
        }),
    };
    patch.insert("agreed_fee_minor".into(), amount("agreed_fee_minor", &t.agreed_fee));
    patch.insert("product_value_minor".into(), amount("product_value_minor", &t.product_value));
    let bp = match t.commission_percent.trim() {
        "" => Value::Null,
        v => basis_points(v).map(Value::from).unwrap_or_else(|m| {
            e.add("commission_rate_bp", m);
            Value::Null
        }),
    };
    patch.insert("commission_rate_bp".into(), bp);
    patch.insert("fee_model".into(), text(&t.fee_model));
    for (k, v) in [
        ("usage_rights", &t.usage_rights),
        ("exclusivity", &t.exclusivity),
        ("exclusivity_ends_on", &t.exclusivity_ends_on),
        ("draft_due_on", &t.draft_due_on),
        ("publish_due_on", &t.publish_due_on),
    ] {
        patch.insert(k.into(), text(v));
    }
    let result = match e.is_empty() {
        true => collaborations::patch(&state.app, f.session.ctx(), id, Value::Object(patch)).await,
        false => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/collaborations/{id}"), "Terms saved.")),
        Err(AppError::Invalid(e)) => {
            let page = render(&state, &f.session, id, Some(t), e).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::basis_points;

    #[test]
    fn commission_percentages_become_basis_points() {
        assert_eq!(basis_points("12.5"), Ok(1250));
        assert_eq!(basis_points("7,25 %"), Ok(725));
        assert_eq!(basis_points("10"), Ok(1000));
        assert!(basis_points("1.234").is_err());
        assert!(basis_points("-3").is_err());
    }
}
