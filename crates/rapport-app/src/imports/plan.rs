//! Planning one row: what it would do (create, update, leave unchanged, or fail and
//! why), reading only — so a dry run and a real run decide the same way, and the real
//! run applies the plan in the same transaction that records the row.

use rapport_core::FieldError;
use rapport_core::creators::{
    self as domain, AccountDraft, AudienceInput, ContactInput, ContactPoint, CreatorDraft, CreatorInput,
};
use rapport_core::diff::{self, Change};
use rapport_core::handle::Handle;
use rapport_core::ids::{CreatorId, UserId};
use rapport_core::import::row::ACCOUNT_SOURCE;
use rapport_core::import::{Field, ImportRow, MatchKey, Mode};
use rapport_core::pipeline::Stages;
use rapport_core::platform::Platform;
use rapport_store::Conn;
use rapport_store::creators::Holder;
use rapport_store::imports::{AccountState, CreatorSnapshot};
use serde_json::Value;
use uuid::Uuid;

use super::known::{Key, Known};
use crate::error::{AppError, AppResult};

/// What a row will do.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    Create {
        draft: CreatorDraft,
        accounts: Vec<AccountDraft>,
    },
    Update {
        id: Uuid,
        before: Box<CreatorSnapshot>,
        /// The new creator fields and their diff, when they change.
        creator: Option<(CreatorDraft, Vec<Change>)>,
        accounts: Vec<AccountOp>,
    },
    Unchanged {
        id: Uuid,
        name: String,
    },
    Fail(Vec<FieldError>),
}

#[derive(Debug, Clone)]
pub(crate) enum AccountOp {
    Add(AccountDraft),
    Change { id: Uuid, draft: AccountDraft, changes: Vec<Change>, observed: bool },
}

impl Plan {
    /// The display name the row ends with, for previews.
    pub(crate) fn name(&self) -> String {
        match self {
            Plan::Create { draft, .. } => draft.display_name.clone(),
            Plan::Update { creator: Some((d, _)), .. } => d.display_name.clone(),
            Plan::Update { before, .. } => before.creator.display_name.clone(),
            Plan::Unchanged { name, .. } => name.clone(),
            Plan::Fail(_) => String::new(),
        }
    }

    /// The fields a row changes, for previews ("city", "instagram followers").
    pub(crate) fn changed_fields(&self) -> Vec<String> {
        let Plan::Update { creator, accounts, .. } = self else { return vec![] };
        let mut out: Vec<String> =
            creator.iter().flat_map(|(_, c)| c.iter().map(|c| c.field.replace('_', " "))).collect();
        for op in accounts {
            match op {
                AccountOp::Add(a) => out.push(format!("new {} account", a.platform.label())),
                AccountOp::Change { draft, changes, .. } => out.extend(
                    changes.iter().map(|c| format!("{} {}", draft.platform.label(), c.field.replace('_', " "))),
                ),
            }
        }
        out
    }
}

fn fail(field: impl Into<String>, message: impl Into<String>) -> Plan {
    Plan::Fail(vec![FieldError { field: field.into(), message: message.into() }])
}

fn holder_text(name: &str, id: Uuid, deleted: bool) -> String {
    let deleted = if deleted { ", which is deleted — restore it first" } else { "" };
    format!("{name} ({}){deleted}", CreatorId(id))
}

pub(crate) use crate::accounts::account_json;
pub(crate) use crate::creators::creator_json;

/// The stored creator in input form (the base an update is laid over).
pub(crate) fn editable(s: &CreatorSnapshot) -> CreatorInput {
    let c = &s.creator;
    let list = |v: &str| serde_json::from_str::<Vec<String>>(v).unwrap_or_default();
    CreatorInput {
        display_name: Some(c.display_name.clone()),
        legal_name: c.legal_name.clone(),
        pronouns: c.pronouns.clone(),
        country: c.country.clone(),
        city: c.city.clone(),
        languages: Some(list(&c.languages)),
        timezone: c.timezone.clone(),
        bio: c.bio.clone(),
        niches: Some(list(&c.niches)),
        tags: Some(s.tags.clone()),
        tone_notes: c.tone_notes.clone(),
        owner_id: c.owner_id.map(|o| UserId(o).to_string()),
        stage: Some(c.stage.clone()),
        do_not_contact: Some(c.do_not_contact),
        source: c.source.clone(),
        custom_fields: Some(serde_json::from_str(&c.custom_fields).unwrap_or_default()),
        contact_points: Some(
            s.contacts
                .iter()
                .map(|p| ContactInput {
                    kind: Some(p.kind.clone()),
                    value: Some(p.value.clone()),
                    primary: p.is_primary,
                })
                .collect(),
        ),
        touch_every_days: c.touch_every_days,
        social_accounts: None,
    }
}

/// Lays the fields a row gives over the stored creator. Tags and niches are added to
/// the existing ones; an email not yet known becomes the primary email (the old one is
/// kept); a new phone or website replaces the first of its kind (any further ones in the
/// cell are added); custom fields the row gives
/// are set and the others kept; other fields are replaced.
fn merge(current: &CreatorInput, before: &CreatorSnapshot, row: &ImportRow) -> CreatorInput {
    let mut m = current.clone();
    let r = &row.input;
    let union = |a: &Option<Vec<String>>, b: &Option<Vec<String>>| {
        let mut out = a.clone().unwrap_or_default();
        out.extend(b.clone().unwrap_or_default());
        Some(out)
    };
    for f in &row.given {
        match f {
            Field::DisplayName => m.display_name = r.display_name.clone(),
            Field::LegalName => m.legal_name = r.legal_name.clone(),
            Field::Pronouns => m.pronouns = r.pronouns.clone(),
            Field::Country => m.country = r.country.clone(),
            Field::City => m.city = r.city.clone(),
            Field::Languages => m.languages = r.languages.clone(),
            Field::Timezone => m.timezone = r.timezone.clone(),
            Field::Niches => m.niches = union(&m.niches, &r.niches),
            Field::Tags => m.tags = union(&m.tags, &r.tags),
            Field::Stage => m.stage = r.stage.clone(),
            Field::DoNotContact => m.do_not_contact = r.do_not_contact,
            Field::Source => m.source = r.source.clone(),
            Field::Bio => m.bio = r.bio.clone(),
            Field::ToneNotes => m.tone_notes = r.tone_notes.clone(),
            // Joined into the display name, which is among the given fields then.
            Field::Email | Field::Phone | Field::Website | Field::FirstName | Field::LastName => {}
        }
    }
    if !row.custom.is_empty() {
        let fields = m.custom_fields.get_or_insert_with(Default::default);
        for (name, text) in &row.custom {
            let value = domain::custom_field_from_text(text, fields.get(name));
            fields.insert(name.clone(), value);
        }
    }
    let mut contacts = m.contact_points.take().unwrap_or_default();
    let mut replaced: Vec<&str> = Vec::new();
    for rc in &row.contacts {
        let known = before.contacts.iter().any(|c| c.kind == rc.kind && c.normalized == rc.normalized);
        if known {
            continue;
        }
        let new = ContactInput { kind: Some(rc.kind.clone()), value: Some(rc.value.clone()), primary: false };
        if rc.kind == "email" {
            for c in contacts.iter_mut().filter(|c| c.kind.as_deref() == Some("email")) {
                c.primary = false;
            }
            contacts.push(ContactInput { primary: true, ..new });
        } else if !replaced.contains(&rc.kind.as_str())
            && let Some(first) = contacts.iter_mut().find(|c| c.kind.as_deref() == Some(rc.kind.as_str()))
        {
            // The first new one replaces the first of its kind; others in the same cell are added.
            *first = new;
            replaced.push(rc.kind.as_str());
        } else {
            contacts.push(new);
        }
    }
    m.contact_points = Some(contacts);
    m
}

/// A stored account as a draft (no re-validation: it is what is stored).
fn account_draft(a: &AccountState) -> Option<AccountDraft> {
    Some(AccountDraft {
        platform: Platform::parse(&a.platform).ok()?,
        handle: Handle { display: a.handle.clone(), normalized: a.handle_normalized.clone(), url: None },
        url: a.url.clone(),
        platform_user_id: a.platform_user_id.clone(),
        followers: a.followers,
        average_views: a.average_views,
        engagement_rate_pct: a.engagement_rate_pct,
        audience: serde_json::from_str::<AudienceInput>(&a.audience).unwrap_or_default(),
        audience_quality_pct: a.audience_quality_pct,
        source: a.source.clone(),
        observed_at: a.observed_at,
    })
}

/// How a row finds the creator it updates.
fn find(known: &Known, key: MatchKey, row: &ImportRow) -> Result<Option<Uuid>, Box<Plan>> {
    let deleted = |field: &str, h: &Holder| {
        Box::new(fail(field, format!("belongs to {}", holder_text(&h.display_name, h.id, true))))
    };
    match key {
        MatchKey::Id => {
            let Some(id) = row.id else { return Ok(None) };
            match known.holder(&Key::Id(id.0)) {
                Some(h) if h.deleted_at.is_some() => Err(deleted("id", h)),
                Some(h) => Ok(Some(h.id)),
                None => Err(Box::new(fail("id", format!("{id}: no creator has this id in this workspace")))),
            }
        }
        MatchKey::Email => {
            let Some(email) = row.email() else { return Ok(None) };
            match known.holder(&Key::Contact("email".into(), email.to_owned())) {
                Some(h) if h.deleted_at.is_some() => Err(deleted("email", h)),
                Some(h) => Ok(Some(h.id)),
                None => Ok(None),
            }
        }
        MatchKey::EmailOrHandle => match find(known, MatchKey::Email, row)? {
            Some(id) => Ok(Some(id)),
            None => find(known, MatchKey::Handle, row),
        },
        MatchKey::Handle => {
            let mut found: Vec<&Holder> = Vec::new();
            for a in &row.accounts {
                if let Some((_, h)) = known.account(a.platform.slug(), &a.handle.normalized)
                    && !found.iter().any(|f| f.id == h.id)
                {
                    found.push(h);
                }
            }
            match found.as_slice() {
                [] => Ok(None),
                [h] if h.deleted_at.is_some() => Err(deleted("handle", h)),
                [h] => Ok(Some(h.id)),
                many => {
                    let names: Vec<String> = many.iter().map(|h| holder_text(&h.display_name, h.id, false)).collect();
                    Err(Box::new(fail(
                        "handle",
                        format!("the handles in this row belong to different creators: {}", names.join(" and ")),
                    )))
                }
            }
        }
    }
}

/// How a job's rows are matched and checked: its workspace, mode and match key, and the
/// workspace's stages (a Stage column must name one, by its slug or its label).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub ws: Uuid,
    pub mode: Mode,
    pub key: MatchKey,
    pub stages: &'a Stages,
}

/// Decides what a row does, reading only.
pub(crate) async fn plan_row(
    c: &mut Conn<'_>,
    rules: Rules<'_>,
    row: Result<ImportRow, Vec<FieldError>>,
) -> AppResult<Plan> {
    let rows: Vec<&ImportRow> = row.as_ref().into_iter().collect();
    let known = Known::load(c, rules, &rows).await?;
    plan(&known, rules, &row)
}

/// Decides what a row does from what is `known` about its keys (loaded for it, or for its
/// whole batch).
pub(crate) fn plan(known: &Known, rules: Rules<'_>, row: &Result<ImportRow, Vec<FieldError>>) -> AppResult<Plan> {
    let Rules { mode, key, stages, .. } = rules;
    let row = match row {
        Ok(r) => r,
        Err(errors) => return Ok(Plan::Fail(errors.clone())),
    };
    let matched = match mode {
        Mode::Create => None,
        Mode::Update | Mode::Upsert => match find(known, key, row) {
            Ok(m) => m,
            Err(failed) => return Ok(*failed),
        },
    };
    match (mode, matched) {
        (Mode::Update, None) => Ok(match key {
            MatchKey::Id if row.id.is_none() => fail("id", "is empty, so the row cannot be matched to a creator"),
            MatchKey::Email if row.email().is_none() => {
                fail("email", "is empty, so the row cannot be matched to a creator")
            }
            MatchKey::Handle if row.accounts.is_empty() => {
                fail("handle", "is empty, so the row cannot be matched to a creator")
            }
            MatchKey::EmailOrHandle if row.email().is_none() && row.accounts.is_empty() => {
                fail("email", "and the handles are empty, so the row cannot be matched to a creator")
            }
            MatchKey::EmailOrHandle => fail("email", "no creator in this workspace has this email or these handles"),
            _ => fail(key.slug(), format!("no creator in this workspace has this {}", key.label())),
        }),
        (_, Some(id)) if known.imported_from(id, stages, row) => {
            let name = known.name(id).unwrap_or_default().to_owned();
            Ok(Plan::Unchanged { id, name })
        }
        (_, Some(id)) => plan_update(known, id, stages, row),
        // Matching by email alone, a new creator refused for a handle that a live creator
        // holds is one that matching by email, else handle would have updated.
        (_, None) => Ok(plan_create(known, stages, row, mode == Mode::Upsert && key == MatchKey::Email)),
    }
}

/// A failure naming the creator that already holds one of the contact points or accounts;
/// with `hint_handle_key`, a handle's live holder comes with the key that would update it.
fn refuse_duplicates(
    known: &Known,
    contacts: &[ContactPoint],
    new_accounts: &[&AccountDraft],
    this: Option<Uuid>,
    hint_handle_key: bool,
) -> Option<Plan> {
    for p in contacts {
        if let Some(h) = known.holder(&Key::Contact(p.kind.clone(), p.normalized.clone()))
            && Some(h.id) != this
        {
            let msg = format!(
                "{} already belongs to {}",
                p.value,
                holder_text(&h.display_name, h.id, h.deleted_at.is_some())
            );
            return Some(fail(p.kind.clone(), msg));
        }
    }
    for a in new_accounts {
        if let Some((_, h)) = known.account(a.platform.slug(), &a.handle.normalized)
            && Some(h.id) != this
        {
            let mut msg = format!(
                "the {} account @{} already belongs to {}",
                a.platform.label(),
                a.handle.display,
                holder_text(&h.display_name, h.id, h.deleted_at.is_some())
            );
            if hint_handle_key && h.deleted_at.is_none() {
                msg.push_str(" (to update that creator, match by email, else platform + handle)");
            }
            return Some(fail(format!("{}_handle", a.platform.slug()), msg));
        }
    }
    None
}

/// `hint_handle_key`: a handle held by a live creator fails the row with the match key
/// that would update that creator instead.
fn plan_create(known: &Known, stages: &Stages, row: &ImportRow, hint_handle_key: bool) -> Plan {
    if row.input.display_name.is_none() {
        return fail(
            "display_name",
            "is required for a new creator: map a Name column, or a Handle or Profile URL column to name them after it",
        );
    }
    let input = CreatorInput { social_accounts: None, ..row.input.clone() };
    let mut draft = match domain::validate(&input) {
        Ok(d) => d,
        Err(e) => return Plan::Fail(e.errors),
    };
    match stages.resolve(input.stage.as_deref()) {
        Ok(stage) => draft.stage = stage.to_owned(),
        Err(m) => return fail("stage", m),
    }
    let new_accounts: Vec<&AccountDraft> = row.accounts.iter().collect();
    if let Some(failed) = refuse_duplicates(known, &draft.contact_points, &new_accounts, None, hint_handle_key) {
        return failed;
    }
    Plan::Create { draft, accounts: row.accounts.clone() }
}

fn plan_update(known: &Known, id: Uuid, stages: &Stages, row: &ImportRow) -> AppResult<Plan> {
    let before = known.snapshot(id).ok_or(AppError::NotFound)?.clone();
    let current = editable(&before);
    let merged = merge(&current, &before, row);
    let mut new_draft = match domain::validate(&merged) {
        Ok(d) => d,
        Err(e) => return Ok(Plan::Fail(e.errors)),
    };
    if row.given.contains(&Field::Stage) {
        match stages.resolve(merged.stage.as_deref()) {
            Ok(stage) => new_draft.stage = stage.to_owned(),
            Err(m) => return Ok(fail("stage", m)),
        }
    }
    let old = domain::validate(&current).map(|d| creator_json(&d)).unwrap_or(Value::Null);
    let changes = diff::changes(&old, &creator_json(&new_draft));
    let mut ops = Vec::new();
    let mut added: Vec<&AccountDraft> = Vec::new();
    for a in &row.accounts {
        let existing = before
            .accounts
            .iter()
            .find(|e| e.platform == a.platform.slug() && e.handle_normalized == a.handle.normalized);
        let Some((state, old)) = existing.and_then(|e| account_draft(e).map(|d| (e, d))) else {
            added.push(a);
            ops.push(AccountOp::Add(a.clone()));
            continue;
        };
        let mut new = old.clone();
        new.followers = a.followers.or(old.followers);
        new.average_views = a.average_views.or(old.average_views);
        new.engagement_rate_pct = a.engagement_rate_pct.or(old.engagement_rate_pct);
        new.url = a.url.clone().or(old.url.clone());
        let observed = new.followers != old.followers
            || new.average_views != old.average_views
            || new.engagement_rate_pct != old.engagement_rate_pct;
        if observed {
            new.source = ACCOUNT_SOURCE.into();
            new.observed_at = a.observed_at;
        }
        let account_changes = diff::changes(&account_json(&old), &account_json(&new));
        if !account_changes.is_empty() {
            ops.push(AccountOp::Change { id: state.id, draft: new, changes: account_changes, observed });
        }
    }
    if changes.is_empty() && ops.is_empty() {
        return Ok(Plan::Unchanged { id, name: before.creator.display_name.clone() });
    }
    let contacts: &[ContactPoint] = if changes.is_empty() { &[] } else { &new_draft.contact_points };
    if let Some(failed) = refuse_duplicates(known, contacts, &added, Some(id), false) {
        return Ok(failed);
    }
    let creator = (!changes.is_empty()).then_some((new_draft, changes));
    Ok(Plan::Update { id, before: Box::new(before), creator, accounts: ops })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_core::import::{Mapping, RowOptions, to_row};
    use rapport_store::imports::{ContactState, CreatorState};

    fn snapshot() -> CreatorSnapshot {
        let t = time::macros::datetime!(2026-10-01 09:00 UTC);
        CreatorSnapshot {
            creator: CreatorState {
                id: Uuid::now_v7(),
                display_name: "Lena".into(),
                sort_name: "lena".into(),
                legal_name: None,
                pronouns: None,
                country: Some("DE".into()),
                city: Some("Berlin".into()),
                languages: "[\"de\"]".into(),
                timezone: None,
                bio: None,
                niches: "[\"food\"]".into(),
                tone_notes: None,
                owner_id: None,
                stage: "qualified".into(),
                do_not_contact: false,
                source: None,
                custom_fields: "{\"size\":\"m\"}".into(),
                max_followers: 0,
                search_text: String::new(),
                created_by: "system".into(),
                created_at: t,
                updated_at: t,
                deleted_at: None,
                touch_every_days: None,
            },
            tags: vec!["vip".into()],
            contacts: vec![
                ContactState {
                    id: Uuid::now_v7(),
                    kind: "email".into(),
                    value: "lena@example.com".into(),
                    normalized: "lena@example.com".into(),
                    is_primary: true,
                    opted_out_at: None,
                    created_at: t,
                },
                ContactState {
                    id: Uuid::now_v7(),
                    kind: "phone".into(),
                    value: "+49 30 1234567".into(),
                    normalized: "+49301234567".into(),
                    is_primary: false,
                    opted_out_at: None,
                    created_at: t,
                },
            ],
            accounts: vec![],
            account_snapshots: vec![],
            stage_changes: None,
        }
    }

    fn row(headers: &[&str], cells: &[&str]) -> ImportRow {
        let hs: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let cs: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        let opts = RowOptions { default_platform: None, now: rapport_core::actor::now() };
        to_row(&Mapping::suggest(&hs, &[]), &hs, &cs, &opts).unwrap()
    }

    #[test]
    fn an_update_changes_only_the_given_fields_and_adds_tags() {
        let s = snapshot();
        let r = row(&["Email", "City", "Tags", "Bio"], &["LENA@example.com", "Hamburg", "summer", ""]);
        let m = merge(&editable(&s), &s, &r);
        assert_eq!(m.city.as_deref(), Some("Hamburg"));
        assert_eq!(m.country.as_deref(), Some("DE"), "not in the file: kept");
        assert_eq!(m.tags, Some(vec!["vip".to_string(), "summer".to_string()]));
        assert_eq!(m.bio, None);
        assert_eq!(m.custom_fields, editable(&s).custom_fields, "custom fields the file has no column for are kept");
        assert_eq!(m.contact_points, editable(&s).contact_points, "a known email (any case) changes nothing");
    }

    #[test]
    fn custom_field_columns_set_their_fields_and_keep_the_others() {
        let s = snapshot();
        let r =
            row(&["Email", "custom.agency", "Rate card (EUR)", "custom.size"], &["lena@example.com", "Nord", "", "m"]);
        let m = merge(&editable(&s), &s, &r);
        let fields = m.custom_fields.unwrap();
        assert_eq!(fields.get("agency"), Some(&Value::from("Nord")));
        assert_eq!(fields.get("size"), Some(&Value::from("m")), "the same text: unchanged");
        assert_eq!(fields.len(), 2, "a blank cell sets nothing; a header not suggested as a custom field is ignored");
    }

    #[test]
    fn several_phones_in_a_cell_replace_the_first_and_add_the_rest() {
        let s = snapshot();
        let r = row(&["Email", "Phone"], &["lena@example.com", "+49 40 7654321; +49 40 1111111"]);
        let m = merge(&editable(&s), &s, &r);
        let phones: Vec<String> = m
            .contact_points
            .unwrap()
            .into_iter()
            .filter(|c| c.kind.as_deref() == Some("phone"))
            .filter_map(|c| c.value)
            .collect();
        assert_eq!(phones, vec!["+49 40 7654321", "+49 40 1111111"]);
    }

    #[test]
    fn a_new_email_becomes_primary_and_a_new_phone_replaces_the_first() {
        let s = snapshot();
        let r = row(&["Email", "Phone"], &["new@example.com", "+49 40 7654321"]);
        let m = merge(&editable(&s), &s, &r);
        let cps = m.contact_points.unwrap();
        let emails: Vec<(&str, bool)> = cps
            .iter()
            .filter(|c| c.kind.as_deref() == Some("email"))
            .map(|c| (c.value.as_deref().unwrap(), c.primary))
            .collect();
        assert_eq!(emails, vec![("lena@example.com", false), ("new@example.com", true)]);
        let phones: Vec<&str> =
            cps.iter().filter(|c| c.kind.as_deref() == Some("phone")).map(|c| c.value.as_deref().unwrap()).collect();
        assert_eq!(phones, vec!["+49 40 7654321"]);
    }

    #[test]
    fn an_unchanged_stored_creator_validates_to_the_same_draft() {
        let s = snapshot();
        let d = domain::validate(&editable(&s)).unwrap();
        let r = row(&["Name", "City"], &["Lena", "Berlin"]);
        let m = domain::validate(&merge(&editable(&s), &s, &r)).unwrap();
        assert!(diff::changes(&creator_json(&d), &creator_json(&m)).is_empty());
    }
}
