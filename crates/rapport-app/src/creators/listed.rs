//! Creators as a page shows them. A creator's view is its row and relations seen under a
//! few circumstances from outside them — the stage's label and the tier's bounds (workspace
//! settings), the owner's name (members), how many days it has been in its stage and which
//! accounts' figures are stale (the clock), and in a listing sorted by fit the score it is
//! sorted by. [`view_of`] takes those as [`Circumstances`] and nothing else, so a view is a
//! function of the two.
//!
//! That lets a creator held by the creator cache ([`super::cache`]) keep the view last
//! built of it, with its JSON once written: a listing that finds the circumstances
//! unchanged shows that view again instead of building it and writing its JSON anew — the
//! larger part of the work of an API page whose creators are cached.

use super::cache::Loaded;
use super::{ContactView, CreatorView, json_list};
use crate::accounts::{account_view_marked, is_stale};
use crate::context::Ctx;
use crate::error::AppResult;
use crate::settings::WorkspaceSettings;
use rapport_core::ids::{CreatorId, UserId};
use rapport_core::pipeline;
use rapport_core::tier::Tier;
use rapport_store::creators::{CreatorRow, Relations};
use rapport_store::{Conn, users};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;
use uuid::Uuid;

/// What a creator's view takes from beyond its row and relations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Circumstances {
    stage_label: String,
    days_in_stage: i64,
    owner_name: Option<String>,
    tier: Option<Tier>,
    /// Per account, in the order of the relations.
    stale: Vec<bool>,
    fit_score: Option<u8>,
}

/// What the circumstances are read from: the workspace's settings and members, and the time.
pub(crate) struct Surroundings<'a> {
    pub settings: &'a WorkspaceSettings,
    pub members: Vec<users::MemberRow>,
    pub at: OffsetDateTime,
}

impl Surroundings<'_> {
    /// Reads the workspace's members only when one of the creators has an owner.
    pub async fn read<'s>(
        c: &mut Conn<'_>,
        ctx: &Ctx,
        settings: &'s WorkspaceSettings,
        mut rows: impl Iterator<Item = &CreatorRow>,
    ) -> AppResult<Surroundings<'s>> {
        let members = if rows.any(|r| r.owner_id.is_some()) { users::list_members(c, ctx.ws()).await? } else { vec![] };
        Ok(Surroundings { settings, members, at: rapport_core::actor::now() })
    }

    /// The circumstances of one creator.
    pub fn of(&self, row: &CreatorRow, relations: &Relations, fit_score: Option<u8>) -> Circumstances {
        let entered = row.stage_entered_at.unwrap_or(row.created_at);
        Circumstances {
            stage_label: self.settings.stages.label(&row.stage).to_owned(),
            days_in_stage: pipeline::days_between(entered, self.at),
            owner_name: row.owner_id.and_then(|o| self.members.iter().find(|m| m.user_id == o).map(|m| m.name.clone())),
            tier: self.settings.tiers.tier_of(row.max_followers),
            stale: relations.accounts.iter().map(|a| is_stale(a, self.at)).collect(),
            fit_score,
        }
    }
}

/// The view of a creator under `circumstances` (which must be the creator's own).
pub(crate) fn view_of(row: CreatorRow, relations: Relations, circumstances: &Circumstances) -> CreatorView {
    let Relations { contacts, tags, accounts } = relations;
    let contact_points: Vec<ContactView> =
        contacts.into_iter().map(|p| ContactView { kind: p.kind, value: p.value, primary: p.is_primary }).collect();
    let primary_email = contact_points.iter().find(|p| p.kind == "email" && p.primary).map(|p| p.value.clone());
    let c = circumstances;
    let stage_entered_at = row.stage_entered_at.unwrap_or(row.created_at);
    let mut stale = c.stale.iter().copied();
    CreatorView {
        id: CreatorId(row.id),
        display_name: row.display_name,
        legal_name: row.legal_name,
        pronouns: row.pronouns,
        country: row.country,
        city: row.city,
        languages: json_list(&row.languages),
        timezone: row.timezone,
        bio: row.bio,
        niches: json_list(&row.niches),
        tags,
        tone_notes: row.tone_notes,
        owner_id: row.owner_id.map(UserId),
        owner_name: c.owner_name.clone(),
        time_in_stage: pipeline::time_in_stage(&c.stage_label, c.days_in_stage),
        stage: row.stage,
        stage_label: c.stage_label.clone(),
        stage_entered_at,
        do_not_contact: row.do_not_contact,
        source: row.source,
        custom_fields: serde_json::from_str(&row.custom_fields).unwrap_or_default(),
        contact_points,
        primary_email,
        social_accounts: accounts.into_iter().map(|a| account_view_marked(a, stale.next().unwrap_or(false))).collect(),
        max_followers: row.max_followers,
        tier: c.tier,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: row.deleted_at,
        touch_every_days: row.touch_every_days,
        fit_score: c.fit_score,
        insights: None,
    }
}

/// A creator of a page: its view (which it dereferences to), and its JSON once written.
#[derive(Clone)]
pub struct Listed(Arc<Shown>);

pub(crate) struct Shown {
    circumstances: Circumstances,
    view: CreatorView,
    /// The view's JSON, written the first time the creator is serialised (`None`: it could
    /// not be, and the view is serialised each time instead).
    json: OnceLock<Option<Box<RawValue>>>,
}

impl Listed {
    /// The view, taken out (copied when the creator cache shares it).
    pub fn into_view(self) -> CreatorView {
        match Arc::try_unwrap(self.0) {
            Ok(shown) => shown.view,
            Err(shared) => shared.view.clone(),
        }
    }
}

impl std::ops::Deref for Listed {
    type Target = CreatorView;
    fn deref(&self) -> &CreatorView {
        &self.0.view
    }
}

impl std::fmt::Debug for Listed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.view.fmt(f)
    }
}

/// Written as the view is; the JSON text is kept, so a view shown again costs a copy. Only
/// `serde_json` writes the kept text as it is; another serializer would see a wrapper, and
/// nothing serialises a page with one.
impl Serialize for Listed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.json.get_or_init(|| serde_json::value::to_raw_value(&self.0.view).ok()) {
            Some(json) => json.serialize(s),
            None => self.0.view.serialize(s),
        }
    }
}

/// The views of loaded creators under their circumstances now: each the view its creator
/// last showed when nothing around it has changed since, else built (and kept with the
/// creator for the next listing). `fit_scores` are those of a listing sorted by fit.
pub(crate) async fn of_loaded(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    settings: &WorkspaceSettings,
    loaded: &[Arc<Loaded>],
    fit_scores: &HashMap<Uuid, u8>,
) -> AppResult<Vec<Listed>> {
    let around = Surroundings::read(c, ctx, settings, loaded.iter().map(|l| &l.row)).await?;
    Ok(loaded.iter().map(|l| l.shown(around.of(&l.row, &l.relations, fit_scores.get(&l.row.id).copied()))).collect())
}

impl Loaded {
    /// The view of this creator under `circumstances`: the one last shown if it was shown
    /// under the same, else a new one, kept in its place.
    fn shown(&self, circumstances: Circumstances) -> Listed {
        let mut last = self.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(listed) = last.as_ref().filter(|l| l.0.circumstances == circumstances) {
            return listed.clone();
        }
        let view = view_of(self.row.clone(), self.relations.clone(), &circumstances);
        let listed = Listed(Arc::new(Shown { circumstances, view, json: OnceLock::new() }));
        *last = Some(listed.clone());
        listed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_store::accounts::AccountRow;
    use time::Duration;

    fn row(entered: OffsetDateTime, max_followers: i64) -> CreatorRow {
        CreatorRow {
            id: Uuid::now_v7(),
            workspace_id: Uuid::nil(),
            display_name: "Ada \"the\" Lovelace".into(),
            legal_name: None,
            pronouns: None,
            country: Some("GB".into()),
            city: None,
            languages: r#"["en"]"#.into(),
            timezone: None,
            bio: Some("Engines & numbers".into()),
            niches: r#"["tech"]"#.into(),
            tone_notes: None,
            owner_id: None,
            stage: "negotiating".into(),
            do_not_contact: false,
            source: None,
            custom_fields: "{}".into(),
            touch_every_days: None,
            max_followers,
            sort_name: "ada".into(),
            created_by: "test".into(),
            created_at: entered,
            updated_at: entered,
            deleted_at: None,
            stage_entered_at: Some(entered),
        }
    }

    fn account(observed_at: OffsetDateTime) -> AccountRow {
        AccountRow {
            id: Uuid::now_v7(),
            creator_id: Uuid::nil(),
            platform: "instagram".into(),
            handle: "ada".into(),
            handle_normalized: "ada".into(),
            url: None,
            platform_user_id: None,
            followers: Some(52_000),
            average_views: None,
            engagement_rate_pct: Some(3.5),
            audience: String::from(r#"{"countries":{"GB":0.6}}"#).into(),
            audience_quality_pct: None,
            source: "manual".into(),
            observed_at,
            created_at: observed_at,
            updated_at: observed_at,
        }
    }

    fn loaded(entered: OffsetDateTime, observed: OffsetDateTime) -> Loaded {
        Loaded::new(
            row(entered, 52_000),
            Relations { contacts: vec![], tags: vec!["vip".into()], accounts: vec![account(observed)] },
        )
    }

    fn json(l: &Listed) -> String {
        serde_json::to_string(l).unwrap()
    }

    /// What the view would be, built afresh from the row as every listing once did.
    fn fresh(l: &Loaded, around: &Surroundings<'_>) -> String {
        let c = around.of(&l.row, &l.relations, None);
        serde_json::to_string(&view_of(l.row.clone(), l.relations.clone(), &c)).unwrap()
    }

    #[test]
    fn a_creator_shown_again_under_the_same_circumstances_is_the_same_view_and_json() {
        let settings = WorkspaceSettings::default();
        let t = OffsetDateTime::now_utc();
        let l = loaded(t - Duration::hours(30), t - Duration::days(2));
        let around = Surroundings { settings: &settings, members: vec![], at: t };
        let first = l.shown(around.of(&l.row, &l.relations, None));
        let later = Surroundings { at: t + Duration::hours(2), ..around };
        let again = l.shown(later.of(&l.row, &l.relations, None));
        assert!(Arc::ptr_eq(&first.0, &again.0), "the kept view is shown again");
        assert_eq!(json(&again), fresh(&l, &later));
        assert_eq!(json(&again), json(&again), "the kept JSON is the view's");
        let v: serde_json::Value = serde_json::from_str(&json(&again)).unwrap();
        assert_eq!(v["time_in_stage"], "in Negotiating for 1 day");
        assert_eq!(v["tier"], "micro");
    }

    #[test]
    fn a_day_more_in_the_stage_or_figures_going_stale_build_the_view_anew() {
        let settings = WorkspaceSettings::default();
        let t = OffsetDateTime::now_utc();
        let l = loaded(t - Duration::hours(30), t - Duration::days(30) + Duration::hours(1));
        let around = Surroundings { settings: &settings, members: vec![], at: t };
        let first = l.shown(around.of(&l.row, &l.relations, None));
        assert!(!first.social_accounts[0].stale);
        let next_day = Surroundings { at: t + Duration::hours(20), ..around };
        let later = l.shown(next_day.of(&l.row, &l.relations, None));
        assert!(!Arc::ptr_eq(&first.0, &later.0));
        assert_eq!(later.time_in_stage, "in Negotiating for 2 days");
        assert!(later.social_accounts[0].stale, "the figures are over 30 days old now");
        assert_eq!(json(&later), fresh(&l, &next_day));
    }

    #[test]
    fn other_settings_or_a_fit_score_build_the_view_anew() {
        let t = OffsetDateTime::now_utc();
        let l = loaded(t - Duration::hours(2), t);
        let settings = WorkspaceSettings::default();
        let around = Surroundings { settings: &settings, members: vec![], at: t };
        let first = l.shown(around.of(&l.row, &l.relations, None));
        let tiers = rapport_core::tier::TierThresholds([60_000, 100_000, 500_000, 1_000_000]);
        let retiered = WorkspaceSettings { tiers, ..WorkspaceSettings::default() };
        let around = Surroundings { settings: &retiered, members: vec![], at: t };
        let retiered = l.shown(around.of(&l.row, &l.relations, None));
        assert_eq!((first.tier, retiered.tier), (Some(Tier::Micro), Some(Tier::Nano)));
        let scored = l.shown(around.of(&l.row, &l.relations, Some(71)));
        assert_eq!(scored.fit_score, Some(71));
        assert!(json(&scored).contains(r#""fit_score":71"#));
        assert_eq!(json(&scored), {
            let c = around.of(&l.row, &l.relations, Some(71));
            serde_json::to_string(&view_of(l.row.clone(), l.relations.clone(), &c)).unwrap()
        });
    }
}
