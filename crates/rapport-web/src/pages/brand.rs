//! Settings → Brand profile and tiers: what the fit score measures against, and where the
//! tier boundaries lie.

use super::{Flash, Layout, redirect_with_flash};
use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rapport_app::settings;
use rapport_core::Invalid;
use rapport_core::fit::BrandProfile;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/brand", get(brand_page).post(save_brand))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BrandForm {
    target_countries: String,
    target_age_bands: String,
    target_genders: String,
    target_languages: String,
    niches: String,
    values_keywords: String,
    excluded_topics: String,
    tier_micro: String,
    tier_mid: String,
    tier_macro: String,
    tier_mega: String,
}

pub struct BrandField {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "settings/brand.html")]
struct BrandPage {
    layout: Layout,
    fields: Vec<BrandField>,
    tiers: Vec<BrandField>,
}

fn split(s: &str) -> Vec<String> {
    s.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect()
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Flash,
    form: BrandForm,
    errors: Invalid,
) -> Result<BrandPage, PageError> {
    let f = |name: &'static str, label: &'static str, help: &'static str, value: &str| BrandField {
        name,
        label,
        help,
        value: value.to_string(),
        error: errors.message_for(name).map(str::to_owned),
    };
    let fields = vec![
        f(
            "target_countries",
            "Target countries",
            "Two-letter codes, comma-separated: DE, AT, CH.",
            &form.target_countries,
        ),
        f(
            "target_age_bands",
            "Target age bands",
            "From 13-17, 18-24, 25-34, 35-44, 45-54, 55-64, 65+.",
            &form.target_age_bands,
        ),
        f("target_genders", "Target genders", "female, male, other.", &form.target_genders),
        f("target_languages", "Target languages", "Language codes: de, en.", &form.target_languages),
        f("niches", "Niches", "The niches you work in: food, travel.", &form.niches),
        f(
            "values_keywords",
            "Values keywords",
            "Words that signal shared values: vegan, sustainable.",
            &form.values_keywords,
        ),
        f(
            "excluded_topics",
            "Excluded topics",
            "A creator mentioning any of these scores 0 on niche and values.",
            &form.excluded_topics,
        ),
    ];
    let tier_err = errors.message_for("tiers").map(str::to_owned);
    let t = |name: &'static str, label: &'static str, value: &str, error: Option<String>| BrandField {
        name,
        label,
        help: "",
        value: value.to_string(),
        error,
    };
    let tiers = vec![
        t("tier_micro", "Micro from", &form.tier_micro, tier_err.clone()),
        t("tier_mid", "Mid from", &form.tier_mid, None),
        t("tier_macro", "Macro from", &form.tier_macro, None),
        t("tier_mega", "Mega from", &form.tier_mega, None),
    ];
    let layout = Layout::new(state, session, "Brand profile", "brand", flash).await?;
    Ok(BrandPage { layout, fields, tiers })
}

async fn brand_page(State(state): State<AppState>, session: Session, flash: Flash) -> Result<Response, PageError> {
    session.ctx().require_admin()?;
    let s = settings::get(&state.app, session.ctx()).await?;
    let p = &s.brand_profile;
    let form = BrandForm {
        target_countries: p.target_countries.join(", "),
        target_age_bands: p.target_age_bands.join(", "),
        target_genders: p.target_genders.join(", "),
        target_languages: p.target_languages.join(", "),
        niches: p.niches.join(", "),
        values_keywords: p.values_keywords.join(", "),
        excluded_topics: p.excluded_topics.join(", "),
        tier_micro: s.tiers.0[0].to_string(),
        tier_mid: s.tiers.0[1].to_string(),
        tier_macro: s.tiers.0[2].to_string(),
        tier_mega: s.tiers.0[3].to_string(),
    };
    Ok(Html(render(&state, &session, flash, form, Invalid::new()).await?.render()?).into_response())
}

async fn save_brand(State(state): State<AppState>, f: CsrfForm<BrandForm>) -> Result<Response, PageError> {
    let form = f.form.clone();
    let profile = BrandProfile {
        target_countries: split(&form.target_countries),
        target_age_bands: split(&form.target_age_bands),
        target_genders: split(&form.target_genders),
        target_languages: split(&form.target_languages),
        niches: split(&form.niches),
        values_keywords: split(&form.values_keywords),
        excluded_topics: split(&form.excluded_topics),
    };
    let mut errors = Invalid::new();
    let bounds: Vec<Option<i64>> = [&form.tier_micro, &form.tier_mid, &form.tier_macro, &form.tier_mega]
        .iter()
        .map(|v| v.trim().replace([' ', '_', ','], "").parse::<i64>().ok())
        .collect();
    let bounds = match bounds.as_slice() {
        [Some(a), Some(b), Some(c), Some(d)] => Some([*a, *b, *c, *d]),
        _ => {
            errors.add("tiers", "must be four whole numbers");
            None
        }
    };
    // Validate both before saving either, so nothing is half-written.
    if let Err(e) = profile.clone().validate() {
        errors.errors.extend(e.errors);
    }
    if let Some(Err(m)) = bounds.map(rapport_core::tier::TierThresholds::new) {
        errors.add("tiers", m);
    }
    if errors.is_empty() {
        let ctx = f.session.ctx();
        settings::set_brand_profile(&state.app, ctx, profile).await?;
        if let Some(b) = bounds {
            settings::set_tiers(&state.app, ctx, b).await?;
        }
        return Ok(redirect_with_flash(
            &state,
            "/settings/brand",
            "Brand profile saved. Fit scores use it from now on.",
        ));
    }
    let page = render(&state, &f.session, Flash(None), form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}
