//! The pipeline's conversion report, defined once. For each main stage and a period
//! `[from, to)`:
//! - **entered**: creators whose history enters the stage in the period (a creator counts
//!   once per stage, at its first entry in the period);
//! - **reached next**: how many of those later entered the next main stage, or a main stage
//!   after it (skipping a step still counts as progress);
//! - **conversion** = reached next ÷ entered, in percent ("—" when nobody entered, and for
//!   the last main stage, which has no next one);
//! - **median days in stage**: the median time, in days, from that entry to the creator's
//!   next stage change, over those who have left the stage ("—" when nobody has).

use super::Stages;
use time::OffsetDateTime;

/// A creator entering a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub stage: String,
    pub at: OffsetDateTime,
}

/// One main stage's row of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelRow {
    pub stage: String,
    pub entered: u64,
    pub reached_next: u64,
    /// `None` for the last main stage, or when nobody entered.
    pub conversion_pct: Option<f64>,
    /// `None` when nobody who entered has left the stage yet.
    pub median_days: Option<f64>,
}

/// The report over creators' histories: each path is one creator's entries in time order,
/// covering at least everything from `from` on.
pub fn funnel(stages: &Stages, paths: &[Vec<Entry>], from: OffsetDateTime, to: OffsetDateTime) -> Vec<FunnelRow> {
    let main: Vec<&str> = stages.main().map(|s| s.slug.as_str()).collect();
    main.iter()
        .enumerate()
        .map(|(k, stage)| {
            let has_next = k + 1 < main.len();
            let (mut entered, mut reached) = (0u64, 0u64);
            let mut days: Vec<f64> = Vec::new();
            for path in paths {
                let Some(i) = path.iter().position(|e| e.stage == *stage && e.at >= from && e.at < to) else {
                    continue;
                };
                entered += 1;
                let later = &path[i + 1..];
                if later.iter().any(|e| stages.main_position(&e.stage).is_some_and(|p| p > k)) {
                    reached += 1;
                }
                if let Some(next) = later.first() {
                    days.push((next.at - path[i].at).as_seconds_f64() / 86_400.0);
                }
            }
            FunnelRow {
                stage: (*stage).to_string(),
                entered,
                reached_next: reached,
                conversion_pct: (has_next && entered > 0).then(|| reached as f64 * 100.0 / entered as f64),
                median_days: median(&mut days),
            }
        })
        .collect()
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-09-01 00:00 UTC);

    fn path(steps: &[(&str, i64)]) -> Vec<Entry> {
        steps.iter().map(|(s, d)| Entry { stage: (*s).into(), at: T0 + Duration::days(*d) }).collect()
    }

    fn row<'a>(rows: &'a [FunnelRow], stage: &str) -> &'a FunnelRow {
        rows.iter().find(|r| r.stage == stage).unwrap()
    }

    #[test]
    fn conversion_counts_who_entered_in_the_period_and_moved_on_later() {
        let paths = vec![
            path(&[("discovered", 1), ("qualified", 5), ("contacted", 40)]),
            path(&[("discovered", 2), ("qualified", 10)]),
            path(&[("discovered", 3)]),
            path(&[("discovered", 4), ("declined", 8)]),
        ];
        let rows = funnel(&Stages::default(), &paths, T0, T0 + Duration::days(30));
        let d = row(&rows, "discovered");
        assert_eq!((d.entered, d.reached_next), (4, 2));
        assert_eq!(d.conversion_pct, Some(50.0));
        // Left discovered after 4, 8 and 4 days; the fourth is still there.
        assert_eq!(d.median_days, Some(4.0));
        let q = row(&rows, "qualified");
        assert_eq!((q.entered, q.reached_next), (2, 1), "reaching contacted after the period still counts");
        assert_eq!(q.median_days, Some(35.0));
        assert_eq!(row(&rows, "contacted").entered, 0, "entered after the period");
        assert_eq!(row(&rows, "contacted").conversion_pct, None);
    }

    #[test]
    fn skipping_a_step_counts_as_reaching_the_next_stage() {
        let paths = vec![path(&[("contacted", 1), ("contracted", 3)])];
        let rows = funnel(&Stages::default(), &paths, T0, T0 + Duration::days(30));
        assert_eq!(row(&rows, "contacted").reached_next, 1);
        assert_eq!(row(&rows, "negotiating").entered, 0);
    }

    #[test]
    fn moving_back_does_not_count_as_progress_and_a_creator_counts_once() {
        let paths = vec![path(&[("qualified", 1), ("discovered", 2), ("qualified", 3)])];
        let rows = funnel(&Stages::default(), &paths, T0, T0 + Duration::days(30));
        let q = row(&rows, "qualified");
        assert_eq!((q.entered, q.reached_next), (1, 0));
        assert_eq!(q.conversion_pct, Some(0.0));
    }

    #[test]
    fn entries_before_the_period_are_not_counted() {
        let paths = vec![path(&[("discovered", -5), ("qualified", 2)])];
        let rows = funnel(&Stages::default(), &paths, T0, T0 + Duration::days(30));
        assert_eq!(row(&rows, "discovered").entered, 0);
        assert_eq!(row(&rows, "discovered").median_days, None);
        assert_eq!(row(&rows, "qualified").entered, 1);
    }

    #[test]
    fn the_last_main_stage_has_no_conversion() {
        let paths = vec![path(&[("advocate", 1)])];
        let rows = funnel(&Stages::default(), &paths, T0, T0 + Duration::days(30));
        assert_eq!(rows.len(), 7, "one row per main stage");
        assert_eq!(row(&rows, "advocate").entered, 1);
        assert_eq!(row(&rows, "advocate").conversion_pct, None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
