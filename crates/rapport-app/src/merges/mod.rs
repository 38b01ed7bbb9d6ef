//! Duplicates and merge: likely duplicate pairs with the reasons, merging one creator into
//! another field by field (every related record moves, the loser's full state is kept in
//! the merge log), and undoing a merge exactly. Finding the pairs lives in [`candidates`].

mod candidates;
pub use candidates::*;

use crate::App;
use crate::context::Ctx;
use crate::creators::{CreatorView, require_creator};
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::diff::Change;
use rapport_core::ids::{CreatorId, UserId};
use rapport_store::imports::{self, CreatorSnapshot, CreatorState};
use rapport_store::merges::{self as store, MergeRow, Moved};
use rapport_store::{Conn, changes, creators};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;
use uuid::Uuid;

/// A merge in the merge log, shown as `mg_…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeId(pub Uuid);

impl fmt::Display for MergeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mg_{}", self.0.simple())
    }
}

impl FromStr for MergeId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.strip_prefix("mg_")
            .filter(|r| r.len() == 32)
            .and_then(|r| Uuid::try_parse(r).ok())
            .map(MergeId)
            .ok_or_else(|| "is not a valid merge id (expected mg_ followed by 32 hex digits)".into())
    }
}

/// Which creator's value a field keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Survivor,
    Loser,
}

/// The fields chosen one side or the other (lists, tags and contact points are unioned,
/// do-not-contact is kept when either has it; `custom_fields` picks who wins a conflict).
pub const FIELDS: &[(&str, &str)] = &[
    ("display_name", "Display name"),
    ("legal_name", "Legal name"),
    ("pronouns", "Pronouns"),
    ("country", "Country"),
    ("city", "City"),
    ("timezone", "Time zone"),
    ("bio", "Bio"),
    ("tone_notes", "Tone and values"),
    ("owner", "Owner"),
    ("stage", "Stage"),
    ("source", "Source"),
    ("custom_fields", "Custom fields (wins on conflicts)"),
];

/// `POST /creators/{id}/merge`: the creator merged into `{id}` and the field choices.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    #[schema(example = "cr_0193…")]
    pub loser_id: String,
    /// Field → `survivor` | `loser`; a field left out keeps the survivor's value unless
    /// only the loser has one.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub choices: BTreeMap<String, Side>,
}

/// What moved (or would move) from the loser to the survivor.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct MovedCounts {
    pub accounts: usize,
    pub contact_points: usize,
    pub notes: usize,
    pub timeline_events: usize,
    pub shortlists: usize,
    pub tags: usize,
    pub tasks: usize,
    pub interactions: usize,
    pub emails: usize,
    pub received_emails: usize,
    pub sequence_enrollments: usize,
    pub lock_overrides: usize,
    pub collaborations: usize,
}

impl MovedCounts {
    /// "3 accounts, 2 notes, 14 timeline events, 1 shortlist".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.accounts, "account"),
            (self.contact_points, "contact point"),
            (self.notes, "note"),
            (self.timeline_events, "timeline event"),
            (self.shortlists, "shortlist"),
            (self.tags, "tag"),
            (self.tasks, "task"),
            (self.interactions, "interaction"),
            (self.emails, "email"),
            (self.received_emails, "received email"),
            (self.sequence_enrollments, "sequence enrolment"),
            (self.lock_overrides, "lock override"),
            (self.collaborations, "campaign collaboration"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}{}", if *n == 1 { "" } else { "s" }))
        .collect();
        if parts.is_empty() { "nothing else".into() } else { parts.join(", ") }
    }
}

/// A merge as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MergeView {
    #[schema(example = "mg_0193…")]
    pub id: String,
    #[schema(value_type = String)]
    pub survivor_id: CreatorId,
    #[schema(value_type = String)]
    pub loser_id: CreatorId,
    /// The survivor's name before the merge.
    pub survivor_name: String,
    pub loser_name: String,
    /// Every choosable field and the side whose value was kept.
    #[schema(value_type = Object)]
    pub choices: BTreeMap<String, Side>,
    pub moved: MovedCounts,
    pub created_by: String,
    pub created_by_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub undone_at: Option<OffsetDateTime>,
    /// What an undo overrode (changes made after the merge).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The merged creator, right after a merge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survivor: Option<CreatorView>,
}

fn internal(e: impl fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn view(row: &MergeRow, warnings: Vec<String>) -> AppResult<MergeView> {
    let before: CreatorSnapshot = serde_json::from_str(&row.survivor_before).map_err(internal)?;
    let loser: CreatorSnapshot = serde_json::from_str(&row.loser_snapshot).map_err(internal)?;
    let moved: Moved = serde_json::from_str(&row.moved).map_err(internal)?;
    Ok(MergeView {
        id: MergeId(row.id).to_string(),
        survivor_id: CreatorId(row.survivor_id),
        loser_id: CreatorId(row.loser_id),
        survivor_name: before.creator.display_name,
        loser_name: loser.creator.display_name,
        choices: serde_json::from_str(&row.choices).map_err(internal)?,
        moved: MovedCounts {
            accounts: moved.accounts.len(),
            contact_points: moved.contacts.len(),
            notes: moved.notes.len(),
            timeline_events: moved.events.len(),
            shortlists: moved.shortlists.len(),
            tags: moved.tags.len(),
            tasks: moved.tasks.len(),
            interactions: moved.interactions.len(),
            emails: moved.emails.len(),
            received_emails: moved.received.len(),
            sequence_enrollments: moved.enrollments.len(),
            lock_overrides: moved.overrides.len(),
            collaborations: moved.collaborations.len(),
        },
        created_by: row.created_by.clone(),
        created_by_label: row.created_by_label.clone(),
        created_at: row.created_at,
        undone_at: row.undone_at,
        warnings,
        survivor: None,
    })
}

/// A choosable field's value on a creator, as JSON (`null` when empty).
pub fn field_value(k: &CreatorState, field: &str) -> Value {
    let text = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty()).map_or(Value::Null, Value::String);
    match field {
        "display_name" => Value::String(k.display_name.clone()),
        "legal_name" => text(&k.legal_name),
        "pronouns" => text(&k.pronouns),
        "country" => text(&k.country),
        "city" => text(&k.city),
        "timezone" => text(&k.timezone),
        "bio" => text(&k.bio),
        "tone_notes" => text(&k.tone_notes),
        "owner" => k.owner_id.map_or(Value::Null, |o| Value::String(UserId(o).to_string())),
        "stage" => Value::String(k.stage.clone()),
        "source" => text(&k.source),
        "custom_fields" => match serde_json::from_str::<Map<String, Value>>(&k.custom_fields) {
            Ok(m) if !m.is_empty() => Value::Object(m),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// Every field's side: the caller's choice, else the survivor unless only the loser has a
/// value. Unknown fields are refused by name.
pub fn resolve(
    choices: &BTreeMap<String, Side>,
    s: &CreatorState,
    l: &CreatorState,
) -> Result<BTreeMap<String, Side>, Invalid> {
    let mut errors = Invalid::new();
    for k in choices.keys() {
        if !FIELDS.iter().any(|(f, _)| f == k) {
            let names: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
            errors
                .add(format!("choices.{k}"), format!("is not a field you can choose; use one of {}", names.join(", ")));
        }
    }
    let out = FIELDS
        .iter()
        .map(|(f, _)| {
            let default =
                if field_value(s, f).is_null() && !field_value(l, f).is_null() { Side::Loser } else { Side::Survivor };
            ((*f).to_string(), choices.get(*f).copied().unwrap_or(default))
        })
        .collect();
    errors.into_result(out)
}

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn union(a: &str, b: &str) -> AppResult<String> {
    let mut out = list(a);
    for v in list(b) {
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&v)) {
            out.push(v);
        }
    }
    serde_json::to_string(&out).map_err(internal)
}

/// The survivor's profile after the merge.
fn merged(s: &CreatorState, l: &CreatorState, sides: &BTreeMap<String, Side>) -> AppResult<CreatorState> {
    let pick = |f: &str| if sides.get(f) == Some(&Side::Loser) { l } else { s };
    let mut m = s.clone();
    m.display_name = pick("display_name").display_name.clone();
    m.sort_name = rapport_core::creators::sort_name(&m.display_name);
    m.legal_name = pick("legal_name").legal_name.clone();
    m.pronouns = pick("pronouns").pronouns.clone();
    m.country = pick("country").country.clone();
    m.city = pick("city").city.clone();
    m.timezone = pick("timezone").timezone.clone();
    m.bio = pick("bio").bio.clone();
    m.tone_notes = pick("tone_notes").tone_notes.clone();
    m.owner_id = pick("owner").owner_id;
    m.stage = pick("stage").stage.clone();
    m.source = pick("source").source.clone();
    m.languages = union(&s.languages, &l.languages)?;
    m.niches = union(&s.niches, &l.niches)?;
    m.do_not_contact = s.do_not_contact || l.do_not_contact;
    m.touch_every_days = s.touch_every_days.or(l.touch_every_days);
    let winner = pick("custom_fields");
    let other = if std::ptr::eq(winner, s) { l } else { s };
    let mut fields: Map<String, Value> = serde_json::from_str(&other.custom_fields).unwrap_or_default();
    fields.extend(serde_json::from_str::<Map<String, Value>>(&winner.custom_fields).unwrap_or_default());
    m.custom_fields = serde_json::to_string(&fields).map_err(internal)?;
    Ok(m)
}

fn profile_json(k: &CreatorState) -> Value {
    let mut o: Map<String, Value> = FIELDS.iter().map(|(f, _)| ((*f).to_string(), field_value(k, f))).collect();
    o.insert("languages".into(), json!(list(&k.languages)));
    o.insert("niches".into(), json!(list(&k.niches)));
    o.insert("do_not_contact".into(), json!(k.do_not_contact));
    Value::Object(o)
}

fn brief(k: &CreatorState) -> Value {
    json!({ "id": CreatorId(k.id).to_string(), "display_name": k.display_name })
}

async fn live_pair(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    survivor: CreatorId,
    loser: CreatorId,
) -> AppResult<(CreatorSnapshot, CreatorSnapshot)> {
    require_creator(c, ctx, survivor, false).await?;
    require_creator(c, ctx, loser, false).await?;
    if survivor == loser {
        return Err(Invalid::one("loser_id", "must be a different creator from the one it is merged into").into());
    }
    let s = imports::load_snapshot(c, ctx.ws(), survivor.0).await?.ok_or(AppError::NotFound)?;
    let l = imports::load_snapshot(c, ctx.ws(), loser.0).await?.ok_or(AppError::NotFound)?;
    Ok((s, l))
}

/// One row of the side-by-side comparison.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChoice {
    pub field: &'static str,
    pub label: &'static str,
    pub survivor: Value,
    pub loser: Value,
    pub default: Side,
}

/// Everything the compare page shows before a merge.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub survivor: CreatorView,
    pub loser: CreatorView,
    pub fields: Vec<FieldChoice>,
    pub preview: MovedCounts,
}

/// The two creators side by side with each field's default and what would move.
pub async fn compare(app: &App, ctx: &Ctx, survivor: CreatorId, loser: CreatorId) -> AppResult<Comparison> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let (s, l) = live_pair(&mut c, ctx, survivor, loser).await?;
    let sides = resolve(&BTreeMap::new(), &s.creator, &l.creator)?;
    let fields = FIELDS
        .iter()
        .map(|(f, label)| FieldChoice {
            field: f,
            label,
            survivor: field_value(&s.creator, f),
            loser: field_value(&l.creator, f),
            default: sides.get(*f).copied().unwrap_or(Side::Survivor),
        })
        .collect();
    let n = store::preview(&mut c, ctx.ws(), survivor.0, loser.0).await?;
    let preview = MovedCounts {
        accounts: n[0] as usize,
        contact_points: n[1] as usize,
        notes: n[2] as usize,
        timeline_events: n[3] as usize,
        shortlists: n[4] as usize,
        tags: n[5] as usize,
        tasks: n[6] as usize,
        interactions: n[7] as usize,
        emails: n[8] as usize,
        received_emails: n[9] as usize,
        sequence_enrollments: n[10] as usize,
        lock_overrides: n[11] as usize,
        collaborations: n[12] as usize,
    };
    drop(r);
    Ok(Comparison {
        survivor: crate::creators::get(app, ctx, survivor).await?,
        loser: crate::creators::get(app, ctx, loser).await?,
        fields,
        preview,
    })
}

/// Merges `loser` into `survivor` in one transaction (see the module docs); the loser is
/// deleted for good, its full state kept in the merge log for [`undo`].
pub async fn merge(
    app: &App,
    ctx: &Ctx,
    survivor: CreatorId,
    loser: CreatorId,
    choices: BTreeMap<String, Side>,
) -> AppResult<MergeView> {
    ctx.require_write()?;
    let ws = ctx.ws();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (s, l) = live_pair(&mut c, ctx, survivor, loser).await?;
    if store::shared_campaigns(&mut c, ws, survivor.0, loser.0).await? > 0 {
        return Err(AppError::Conflict {
            message: format!(
                "{} and {} are both in a campaign: remove one of the two collaborations there before merging",
                s.creator.display_name, l.creator.display_name
            ),
            field: Some("loser_id".into()),
            existing: None,
        });
    }
    let sides = resolve(&choices, &s.creator, &l.creator)?;
    let after = merged(&s.creator, &l.creator, &sides)?;
    let t = now();
    store::write_profile(&mut c, ws, &after, t).await?;
    let reason = format!("Merged with {}", l.creator.display_name);
    crate::pipeline::record(&mut c, ctx, survivor.0, Some(&s.creator.stage), &after.stage, Some(&reason)).await?;
    let moved = store::move_related(&mut c, ws, survivor.0, loser.0).await?;
    creators::refresh_derived(&mut c, ws, survivor.0).await?;
    imports::hard_delete_creator(&mut c, ws, loser.0).await?;
    changes::record(&mut c, ws, survivor.0).await?;
    let row = MergeRow {
        id: Uuid::now_v7(),
        survivor_id: survivor.0,
        loser_id: loser.0,
        choices: serde_json::to_string(&sides).map_err(internal)?,
        survivor_before: serde_json::to_string(&s).map_err(internal)?,
        loser_snapshot: serde_json::to_string(&l).map_err(internal)?,
        moved: serde_json::to_string(&moved).map_err(internal)?,
        created_by: ctx.actor.to_string(),
        created_by_label: ctx.actor_label.clone(),
        created_at: t,
        undone_at: None,
    };
    let mut view = view(&row, vec![])?;
    let mut events = rapport_core::diff::changes(&profile_json(&s.creator), &profile_json(&after));
    events.push(Change { field: "merged_from".into(), before: Value::Null, after: brief(&l.creator) });
    events.push(Change { field: "choices".into(), before: Value::Null, after: json!(sides) });
    events.push(Change { field: "moved".into(), before: Value::Null, after: json!(view.moved) });
    timeline::record(&mut c, ctx, survivor.0, "creator.merged", events).await?;
    store::insert(&mut c, ws, &row).await?;
    tx.commit().await?;
    crate::search::after_write(app).await;
    tracing::info!(survivor = %survivor, loser = %loser, merge = %MergeId(row.id), "creators merged");
    view.survivor = Some(crate::creators::get(app, ctx, survivor).await?);
    Ok(view)
}

/// A merge of the caller's workspace.
pub async fn get(app: &App, ctx: &Ctx, id: MergeId) -> AppResult<MergeView> {
    let mut r = app.db.read().await?;
    let row = store::get(&mut r.conn(), ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    view(&row, vec![])
}

/// Undoes a merge: the survivor gets its profile from before the merge back, the loser is
/// recreated, and exactly the moved records go back to it. Edits made to the survivor
/// since are overridden (and reported in `warnings`); a later merge into the survivor must
/// be undone first (409).
pub async fn undo(app: &App, ctx: &Ctx, id: MergeId) -> AppResult<MergeView> {
    ctx.require_write()?;
    let ws = ctx.ws();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ws, id.0).await?.ok_or(AppError::NotFound)?;
    let before: CreatorSnapshot = serde_json::from_str(&row.survivor_before).map_err(internal)?;
    let loser: CreatorSnapshot = serde_json::from_str(&row.loser_snapshot).map_err(internal)?;
    let moved: Moved = serde_json::from_str(&row.moved).map_err(internal)?;
    let name = &before.creator.display_name;
    if row.undone_at.is_some() {
        return Err(AppError::conflict("this merge has already been undone"));
    }
    let Some(current) = creators::get(&mut c, ws, row.survivor_id).await? else {
        return Err(AppError::conflict(format!("{name} no longer exists, so this merge cannot be undone")));
    };
    if store::later_into(&mut c, ws, row.survivor_id, row.created_at, row.id).await? > 0 {
        return Err(AppError::conflict(format!(
            "another creator was merged into {name} after this merge; undo that merge first"
        )));
    }
    if creators::get(&mut c, ws, row.loser_id).await?.is_some() {
        return Err(AppError::conflict(format!(
            "{} exists again, so this merge cannot be undone",
            loser.creator.display_name
        )));
    }
    let mut warnings = vec![];
    if current.deleted_at.is_some() {
        warnings.push(format!("{name} had been deleted after the merge; the undo restored it."));
    }
    if current.updated_at > row.created_at {
        warnings
            .push(format!("{name} was edited after the merge; the undo put back its profile from before the merge."));
    }
    if !store::unmerge(&mut c, ws, &before, &loser, &moved).await? {
        return Err(AppError::conflict(format!("{name} no longer exists, so this merge cannot be undone")));
    }
    creators::refresh_derived(&mut c, ws, row.survivor_id).await?;
    creators::refresh_derived(&mut c, ws, row.loser_id).await?;
    crate::pipeline::after_restore(&mut c, ctx, &before, Some(&current.stage)).await?;
    crate::pipeline::after_restore(&mut c, ctx, &loser, None).await?;
    let undone = vec![Change { field: "merged_from".into(), before: brief(&loser.creator), after: Value::Null }];
    timeline::record(&mut c, ctx, row.survivor_id, "creator.merge_undone", undone).await?;
    let split = vec![Change { field: "split_from".into(), before: brief(&before.creator), after: Value::Null }];
    timeline::record(&mut c, ctx, row.loser_id, "creator.merge_undone", split).await?;
    let t = now();
    if store::mark_undone(&mut c, ws, row.id, t).await? == 0 {
        return Err(AppError::conflict("this merge has already been undone"));
    }
    tx.commit().await?;
    crate::search::after_write(app).await;
    tracing::info!(merge = %id, "merge undone");
    view(&MergeRow { undone_at: Some(t), ..row }, warnings)
}
