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
use rapport_app::settings::{self, TierBounds};
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
    let tiers = vec![
        f("tier_micro", "Micro from", "", &form.tier_micro),
        f("tier_mid", "Mid from", "", &form.tier_mid),
        f("tier_macro", "Macro from", "", &form.tier_macro),
        f("tier_mega", "Mega from", "", &form.tier_mega),
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

/// The four tier boundaries as typed ("10000", "10 000", "10k"), each checked and named by its
/// field (`tier_mid: must be more than micro (10000)`); `None` when any is wrong.
fn tier_bounds(form: &BrandForm, errors: &mut Invalid) -> Option<TierBounds> {
    let fields = [
        ("tier_micro", &form.tier_micro),
        ("tier_mid", &form.tier_mid),
        ("tier_macro", &form.tier_macro),
        ("tier_mega", &form.tier_mega),
    ];
    let mut values = [0i64; 4];
    let before = errors.errors.len();
    for ((name, raw), value) in fields.iter().zip(values.iter_mut()) {
        match rapport_core::import::numbers::parse_whole_count(raw) {
            Ok(Some(n)) => *value = n,
            Ok(None) => errors.add(*name, "is required: a follower count such as 10000 or 10k"),
            Err(m) => errors.add(*name, m),
        }
    }
    if errors.errors.len() > before {
        return None;
    }
    let [micro, mid, macro_tier, mega] = values;
    let bounds = TierBounds { micro, mid, macro_tier, mega };
    match bounds.thresholds() {
        Ok(_) => Some(bounds),
        Err(e) => {
            for f in e.errors {
                errors.add(format!("tier_{}", f.field), f.message);
            }
            None
        }
    }
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
    let bounds = tier_bounds(&form, &mut errors);
    // Validate both before saving either, so nothing is half-written.
    if let Err(e) = profile.clone().validate() {
        errors.errors.extend(e.errors);
    }
    if errors.is_empty() {
        let ctx = f.session.ctx();
        settings::set_brand_profile(&state.app, ctx, profile).await?;
        if let Some(b) = bounds {
            settings::set_tier_bounds(&state.app, ctx, b).await?;
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
