//! The conversion report page: a period form and, per main stage, who entered it, how
//! many reached the next stage, the conversion and the median days in the stage — a table,
//! with a funnel bar per row drawn from the same numbers.

use crate::auth::Session;
use crate::error::PageError;
use crate::pages::{Flash, Layout};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rapport_app::AppError;
use rapport_app::pipeline::{self, ConversionReport, ReportQuery};
use rapport_core::Invalid;

pub fn router() -> Router<AppState> {
    Router::new().route("/pipeline/report", get(show_report))
}

pub struct RowView {
    pub label: String,
    pub next: String,
    pub entered: String,
    pub reached: String,
    pub conversion: String,
    pub median_days: String,
    /// The bar's width in percent of the widest row.
    pub bar: u32,
}

#[derive(Template)]
#[template(path = "pipeline/report.html")]
struct ReportPage {
    layout: Layout,
    from: String,
    to: String,
    errors: Invalid,
    rows: Vec<RowView>,
    period: String,
}

fn rows(r: &ConversionReport) -> Vec<RowView> {
    let widest = r.rows.iter().map(|x| x.entered).max().unwrap_or(0).max(1);
    let one = |x: Option<f64>, unit: &str| x.map_or_else(|| "—".to_string(), |v| format!("{v:.1}{unit}"));
    r.rows
        .iter()
        .map(|x| RowView {
            label: x.label.clone(),
            next: x.next_label.clone().unwrap_or_default(),
            entered: crate::format::grouped(x.entered as i64),
            reached: if x.next_stage.is_some() { crate::format::grouped(x.reached_next as i64) } else { "—".into() },
            conversion: one(x.conversion_pct, " %"),
            median_days: one(x.median_days_in_stage, ""),
            bar: (x.entered * 100 / widest) as u32,
        })
        .collect()
}

async fn show_report(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let ctx = session.ctx();
    let (report, errors, status) = match pipeline::report(&state.app, ctx, &q).await {
        Ok(r) => (r, Invalid::new(), StatusCode::OK),
        Err(AppError::Invalid(inv)) => {
            (pipeline::report(&state.app, ctx, &ReportQuery::default()).await?, inv, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    let typed = |v: &Option<String>, fallback: &str| v.clone().filter(|s| !s.is_empty()).unwrap_or(fallback.into());
    let page = ReportPage {
        layout: Layout::new(&state, &session, "Conversion report", "pipeline", flash).await?,
        // What was typed stays in the form, also when it was wrong.
        from: typed(&q.from, &report.from),
        to: typed(&q.to, &report.to),
        period: format!("{} to {}", report.from, report.to),
        rows: rows(&report),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}
