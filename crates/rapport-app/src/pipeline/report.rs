//! The conversion report: for each main stage, the creators who entered it in a period,
//! how many of them later reached the next main stage, the conversion and the median days
//! they spent in the stage — the formula is `rapport_core::pipeline::funnel`.

use crate::App;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::settings;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::pipeline::funnel::{Entry, funnel};
use rapport_store::stage_changes;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration};
use uuid::Uuid;

/// The default period: the last 90 days, today included.
pub const DEFAULT_DAYS: i64 = 90;
/// The longest period: about ten years.
pub const MAX_DAYS: i64 = 3660;

/// The report's period as it arrives in a URL.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (UTC). Default: 89 days before `to`.
    pub from: Option<String>,
    /// Last day, included, `YYYY-MM-DD` (UTC). Default: today.
    pub to: Option<String>,
}

/// One main stage's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub stage: String,
    pub label: String,
    /// The next main stage (none for the last one).
    pub next_stage: Option<String>,
    pub next_label: Option<String>,
    /// Creators who entered the stage in the period (each counted once).
    pub entered: u64,
    /// How many of them later reached the next main stage (or one after it).
    pub reached_next: u64,
    /// reached_next ÷ entered in percent, one decimal; absent when nobody entered and for
    /// the last main stage.
    pub conversion_pct: Option<f64>,
    /// Median days in the stage of those who have left it, one decimal; absent when nobody
    /// has.
    pub median_days_in_stage: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConversionReport {
    /// First day of the period (`YYYY-MM-DD`).
    pub from: String,
    /// Last day of the period, included.
    pub to: String,
    pub rows: Vec<ReportRow>,
}

fn day(e: &mut Invalid, name: &str, v: &Option<String>) -> Option<Date> {
    rapport_core::validation::optional_date(e, name, v.as_deref())
}

/// The period `[from, to]` in days, from the query and today.
pub fn period(q: &ReportQuery, today: Date) -> Result<(Date, Date), Invalid> {
    let mut e = Invalid::new();
    let to = day(&mut e, "to", &q.to).unwrap_or(today);
    let from = day(&mut e, "from", &q.from).unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    if e.is_empty() && from > to {
        e.add("from", "must not be after to");
    } else if e.is_empty() && (to - from).whole_days() >= MAX_DAYS {
        e.add("from", format!("must be at most {MAX_DAYS} days before to"));
    }
    e.into_result((from, to))
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn iso(d: Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(fmt).unwrap_or_default()
}

/// The conversion report of the caller's workspace (live creators).
pub async fn report(app: &App, ctx: &Ctx, q: &ReportQuery) -> AppResult<ConversionReport> {
    let (from, to) = period(q, now().date())?;
    let start = from.midnight().assume_utc();
    let end = (to + Duration::days(1)).midnight().assume_utc();
    let mut r = app.db.read().await?;
    let stages = settings::load(&mut r.conn(), ctx).await?.stages;
    // A day early: SQLite compares stored times as text; the formula filters exactly.
    let rows = stage_changes::since(&mut r.conn(), ctx.ws(), start - Duration::days(1)).await?;
    let mut paths: BTreeMap<Uuid, Vec<Entry>> = BTreeMap::new();
    for row in rows {
        paths.entry(row.creator_id).or_default().push(Entry { stage: row.to_stage, at: row.changed_at });
    }
    let paths: Vec<Vec<Entry>> = paths.into_values().collect();
    let main: Vec<_> = stages.main().collect();
    let rows = funnel(&stages, &paths, start, end)
        .into_iter()
        .enumerate()
        .map(|(k, f)| {
            let next = main.get(k + 1);
            ReportRow {
                label: stages.label(&f.stage).to_owned(),
                stage: f.stage,
                next_stage: next.map(|s| s.slug.clone()),
                next_label: next.map(|s| s.label.clone()),
                entered: f.entered,
                reached_next: f.reached_next,
                conversion_pct: f.conversion_pct.map(one_decimal),
                median_days_in_stage: f.median_days.map(one_decimal),
            }
        })
        .collect();
    Ok(ConversionReport { from: iso(from), to: iso(to), rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn q(from: Option<&str>, to: Option<&str>) -> ReportQuery {
        ReportQuery { from: from.map(Into::into), to: to.map(Into::into) }
    }

    #[test]
    fn the_default_period_is_the_last_90_days_with_today() {
        assert_eq!(period(&q(None, None), date!(2026 - 11 - 30)), Ok((date!(2026 - 09 - 02), date!(2026 - 11 - 30))));
    }

    #[test]
    fn a_bad_or_reversed_period_names_the_parameter() {
        let today = date!(2026 - 11 - 30);
        let e = period(&q(Some("last week"), Some("2026-13-01")), today).unwrap_err();
        assert!(e.message_for("from").is_some() && e.message_for("to").is_some(), "{e:?}");
        let e = period(&q(Some("2026-11-02"), Some("2026-11-01")), today).unwrap_err();
        assert_eq!(e.message_for("from"), Some("must not be after to"));
    }
}
