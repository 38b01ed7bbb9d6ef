//! Creators: create, read, update (JSON merge patch over the editable fields), soft delete
//! and restore, and the one list query behind both the UI and the API. Duplicates (same
//! email, same platform + handle) are refused with a 409 that names the existing creator.

use crate::App;
use crate::accounts::{AccountView, account_view};
use crate::context::Ctx;
use crate::error::{AppError, AppResult, Existing};
use crate::insights::Insights;
use crate::timeline;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::creators::{self as domain, AccountDraft, ContactInput, CreatorDraft, CreatorInput};
use rapport_core::diff;
use rapport_core::ids::{CreatorId, UserId};
use rapport_core::platform::Platform;
use rapport_core::tier::{Tier, TierThresholds};
use rapport_store::creators::{self as store, CreatorRow, CursorKey, ListQuery, SortKey};
use rapport_store::{Conn, accounts, users};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

/// A contact point as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub kind: String,
    pub value: String,
    pub primary: bool,
}

/// A creator as the API returns it and the pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatorView {
    #[schema(value_type = String, example = "cr_0193…")]
    pub id: CreatorId,
    pub display_name: String,
    pub legal_name: Option<String>,
    pub pronouns: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: Vec<String>,
    pub timezone: Option<String>,
    pub bio: Option<String>,
    pub niches: Vec<String>,
    pub tags: Vec<String>,
    pub tone_notes: Option<String>,
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub stage: String,
    pub do_not_contact: bool,
    pub source: Option<String>,
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    pub contact_points: Vec<ContactView>,
    pub primary_email: Option<String>,
    pub social_accounts: Vec<AccountView>,
    /// The largest following across accounts.
    pub max_followers: i64,
    /// Tier by the largest following: nano < 10 k ≤ micro < 100 k ≤ mid < 500 k ≤ macro < 1 M ≤ mega.
    #[schema(value_type = String)]
    pub tier: Tier,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
    /// The fit score and quality flags; present when one creator is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insights: Option<Insights>,
}

/// The creator with this id in the caller's workspace, or 404.
pub async fn require_creator(c: &mut Conn<'_>, ctx: &Ctx, id: CreatorId, allow_deleted: bool) -> AppResult<CreatorRow> {
    match store::get(c, ctx.ws(), id.0).await? {
        Some(r) if allow_deleted || r.deleted_at.is_none() => Ok(r),
        _ => Err(AppError::NotFound),
    }
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Builds views for rows, loading contacts, tags, accounts and owners in batches.
async fn views(c: &mut Conn<'_>, ctx: &Ctx, rows: Vec<CreatorRow>) -> AppResult<Vec<CreatorView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let contacts = store::contact_points(c, &ids).await?;
    let tags = store::tags(c, &ids).await?;
    let accounts = accounts::list_for(c, ctx.ws(), &ids).await?;
    let members = users::list_members(c, ctx.ws()).await?;
    let tiers = crate::settings::load(c, ctx).await?.tiers;
    let t = now();
    Ok(rows
        .into_iter()
        .map(|r| {
            let contact_points: Vec<ContactView> = contacts
                .iter()
                .filter(|p| p.creator_id == r.id)
                .map(|p| ContactView { kind: p.kind.clone(), value: p.value.clone(), primary: p.is_primary })
                .collect();
            let primary_email = contact_points.iter().find(|p| p.kind == "email" && p.primary).map(|p| p.value.clone());
            CreatorView {
                id: CreatorId(r.id),
                display_name: r.display_name,
                legal_name: r.legal_name,
                pronouns: r.pronouns,
                country: r.country,
                city: r.city,
                languages: json_list(&r.languages),
                timezone: r.timezone,
                bio: r.bio,
                niches: json_list(&r.niches),
                tags: tags.iter().filter(|(id, _)| *id == r.id).map(|(_, t)| t.clone()).collect(),
                tone_notes: r.tone_notes,
                owner_id: r.owner_id.map(UserId),
                owner_name: r.owner_id.and_then(|o| members.iter().find(|m| m.user_id == o).map(|m| m.name.clone())),
                stage: r.stage,
                do_not_contact: r.do_not_contact,
                source: r.source,
                custom_fields: serde_json::from_str(&r.custom_fields).unwrap_or_default(),
                contact_points,
                primary_email,
                social_accounts: accounts
                    .iter()
                    .filter(|a| a.creator_id == r.id)
                    .map(|a| account_view(a.clone(), t))
                    .collect(),
                max_followers: r.max_followers,
                tier: tiers.tier_of(r.max_followers),
                created_by: r.created_by,
                created_at: r.created_at,
                updated_at: r.updated_at,
                deleted_at: r.deleted_at,
                insights: None,
            }
        })
        .collect())
}

async fn view_one(c: &mut Conn<'_>, ctx: &Ctx, row: CreatorRow) -> AppResult<CreatorView> {
    views(c, ctx, vec![row]).await?.pop().ok_or(AppError::NotFound)
}

pub async fn get(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<CreatorView> {
    let mut r = app.db.read().await?;
    let row = require_creator(&mut r.conn(), ctx, id, true).await?;
    view_one(&mut r.conn(), ctx, row).await
}

/// A creator with its fit score and quality flags.
pub async fn get_with_insights(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<CreatorView> {
    let mut r = app.db.read().await?;
    let row = require_creator(&mut r.conn(), ctx, id, true).await?;
    let mut v = view_one(&mut r.conn(), ctx, row).await?;
    let settings = crate::settings::load(&mut r.conn(), ctx).await?;
    v.insights = Some(crate::insights::for_creator(&mut r.conn(), ctx, &settings, &v).await?);
    Ok(v)
}

/// The editable fields of a stored creator, in input form (the base for a merge patch and
/// the "before" side of a timeline diff).
pub fn editable(v: &CreatorView) -> CreatorInput {
    let opt = |s: &Option<String>| s.clone();
    CreatorInput {
        display_name: Some(v.display_name.clone()),
        legal_name: opt(&v.legal_name),
        pronouns: opt(&v.pronouns),
        country: opt(&v.country),
        city: opt(&v.city),
        languages: Some(v.languages.clone()),
        timezone: opt(&v.timezone),
        bio: opt(&v.bio),
        niches: Some(v.niches.clone()),
        tags: Some(v.tags.clone()),
        tone_notes: opt(&v.tone_notes),
        owner_id: v.owner_id.map(|o| o.to_string()),
        stage: Some(v.stage.clone()),
        do_not_contact: Some(v.do_not_contact),
        source: opt(&v.source),
        custom_fields: Some(v.custom_fields.clone()),
        contact_points: Some(
            v.contact_points
                .iter()
                .map(|p| ContactInput { kind: Some(p.kind.clone()), value: Some(p.value.clone()), primary: p.primary })
                .collect(),
        ),
        social_accounts: None,
    }
}

fn snapshot(d: &CreatorDraft) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("owner_id".into(), d.owner_id.map(|u| u.to_string()).into());
    }
    v
}

/// Checks the owner is a member of the workspace.
async fn check_owner(c: &mut Conn<'_>, ctx: &Ctx, d: &CreatorDraft) -> AppResult<()> {
    if let Some(owner) = d.owner_id
        && users::role_of(c, ctx.ws(), owner.0).await?.is_none()
    {
        return Err(Invalid::one("owner_id", "is not a member of this workspace").into());
    }
    Ok(())
}

fn existing(h: store::Holder) -> Existing {
    Existing { id: CreatorId(h.id).to_string(), display_name: h.display_name, deleted: h.deleted_at.is_some() }
}

fn duplicate(what: &str, field: String, h: store::Holder) -> AppError {
    let deleted = if h.deleted_at.is_some() { " (deleted — restore it instead)" } else { "" };
    AppError::Conflict {
        message: format!("{what} already belongs to {} ({}){deleted}", h.display_name, CreatorId(h.id)),
        field: Some(field),
        existing: Some(existing(h)),
    }
}

/// Refuses contact points or accounts that another creator already holds.
async fn check_duplicates(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    d: &CreatorDraft,
    accounts: &[AccountDraft],
    this: Option<Uuid>,
) -> AppResult<()> {
    for (i, p) in d.contact_points.iter().enumerate() {
        if let Some(h) = store::holder_of_contact(c, ctx.ws(), &p.kind, &p.normalized).await?
            && Some(h.id) != this
        {
            let what = if p.kind == "email" {
                format!("The email {}", p.value)
            } else {
                format!("The {} {}", p.kind, p.value)
            };
            return Err(duplicate(&what, format!("contact_points.{i}.value"), h));
        }
    }
    for (i, a) in accounts.iter().enumerate() {
        if let Some((_, h)) = accounts::holder_of_handle(c, ctx.ws(), a.platform.slug(), &a.handle.normalized).await? {
            return Err(duplicate(
                &format!("The {} account @{}", a.platform.label(), a.handle.display),
                format!("social_accounts.{i}.handle"),
                h,
            ));
        }
    }
    Ok(())
}

/// Validates the accounts given with a new creator, refusing repeats within the input.
fn validate_accounts(input: &CreatorInput, errors: &mut Invalid) -> Vec<AccountDraft> {
    let t = now();
    let mut out: Vec<AccountDraft> = Vec::new();
    for (i, a) in input.social_accounts.as_deref().unwrap_or(&[]).iter().enumerate() {
        let prefix = format!("social_accounts.{i}.");
        match domain::validate_account(a, &prefix, t) {
            Ok(d) => {
                if out.iter().any(|o| o.platform == d.platform && o.handle.normalized == d.handle.normalized) {
                    errors.add(format!("{prefix}handle"), "is listed twice");
                } else {
                    out.push(d);
                }
            }
            Err(e) => errors.errors.extend(e.errors),
        }
    }
    out
}

/// Checks an input without storing anything: every problem, by field.
pub fn check(input: &CreatorInput) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    if let Err(e) = domain::validate(input) {
        errors.errors.extend(e.errors);
    }
    validate_accounts(input, &mut errors);
    errors.into_result(())
}

/// Creates a creator and any accounts given with it, in one transaction.
pub async fn create(app: &App, ctx: &Ctx, input: CreatorInput) -> AppResult<CreatorView> {
    ctx.require_write()?;
    let mut errors = Invalid::new();
    let draft = domain::validate(&input).map_err(|e| errors.errors.extend(e.errors)).ok();
    let account_drafts = validate_accounts(&input, &mut errors);
    let draft = errors.into_result(draft)?.ok_or_else(|| AppError::Internal("draft missing".into()))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    check_owner(&mut c, ctx, &draft).await?;
    check_duplicates(&mut c, ctx, &draft, &account_drafts, None).await?;
    let id = CreatorId::new();
    let t = now();
    store::insert(&mut c, ctx.ws(), id.0, &draft, &ctx.actor.to_string(), t).await?;
    for a in &account_drafts {
        accounts::insert(&mut c, ctx.ws(), id.0, Uuid::now_v7(), a, t).await?;
    }
    store::refresh_derived(&mut c, ctx.ws(), id.0).await?;
    let mut after = snapshot(&draft);
    if !account_drafts.is_empty() {
        let handles: Vec<String> =
            account_drafts.iter().map(|a| format!("{}:@{}", a.platform.slug(), a.handle.display)).collect();
        if let Some(o) = after.as_object_mut() {
            o.insert("social_accounts".into(), handles.into());
        }
    }
    timeline::record(&mut c, ctx, id.0, "creator.created", diff::changes(&Value::Null, &after)).await?;
    let row = require_creator(&mut c, ctx, id, false).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    tracing::info!(creator = %id, "creator created");
    Ok(view)
}

/// Replaces the editable fields with `input` (fields left `None` are cleared).
pub async fn replace(app: &App, ctx: &Ctx, id: CreatorId, input: CreatorInput) -> AppResult<CreatorView> {
    ctx.require_write()?;
    if input.social_accounts.is_some() {
        return Err(
            Invalid::one("social_accounts", "accounts are changed through /creators/{id}/accounts, not here").into()
        );
    }
    let draft = domain::validate(&input)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = require_creator(&mut c, ctx, id, false).await?;
    let before = view_one(&mut c, ctx, row).await?;
    let before = domain::validate(&editable(&before)).map(|d| snapshot(&d)).unwrap_or(Value::Null);
    check_owner(&mut c, ctx, &draft).await?;
    check_duplicates(&mut c, ctx, &draft, &[], Some(id.0)).await?;
    let changes = diff::changes(&before, &snapshot(&draft));
    if !changes.is_empty() {
        store::update(&mut c, ctx.ws(), id.0, &draft, now()).await?;
        store::refresh_derived(&mut c, ctx.ws(), id.0).await?;
        timeline::record(&mut c, ctx, id.0, "creator.updated", changes).await?;
    }
    let row = require_creator(&mut c, ctx, id, false).await?;
    let view = view_one(&mut c, ctx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Applies a JSON merge patch (RFC 7396) to the editable fields.
pub async fn patch(app: &App, ctx: &Ctx, id: CreatorId, patch: Value) -> AppResult<CreatorView> {
    ctx.require_write()?;
    let Value::Object(patch) = patch else {
        return Err(Invalid::one("body", "must be a JSON object").into());
    };
    let current = get(app, ctx, id).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    let mut merged = serde_json::to_value(editable(&current)).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(obj) = merged.as_object_mut() {
        for (k, v) in patch {
            obj.insert(k, v);
        }
    }
    let input = parse_json::<CreatorInput>(merged)?;
    replace(app, ctx, id, input).await
}

/// Deserialises JSON into an input type, naming the offending field on failure.
pub fn parse_json<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T, Invalid> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let path = path.replace('[', ".").replace(']', "");
        let field = if path == "." || path.is_empty() { "body".to_string() } else { path };
        let inner = e.into_inner().to_string();
        let message = match inner.split_once("unknown field `") {
            Some((_, rest)) => {
                let name = rest.split('`').next().unwrap_or("");
                return Invalid::one(name, "is not a known field");
            }
            None => inner,
        };
        Invalid::one(field, message)
    })
}

/// Soft-deletes a creator; it can be restored.
pub async fn delete(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<()> {
    set_deleted(app, ctx, id, true).await
}

pub async fn restore(app: &App, ctx: &Ctx, id: CreatorId) -> AppResult<CreatorView> {
    set_deleted(app, ctx, id, false).await?;
    get(app, ctx, id).await
}

async fn set_deleted(app: &App, ctx: &Ctx, id: CreatorId, delete: bool) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = require_creator(&mut c, ctx, id, true).await?;
    if row.deleted_at.is_some() == delete {
        return if delete { Err(AppError::NotFound) } else { Ok(()) };
    }
    let t = now();
    store::set_deleted(&mut c, ctx.ws(), id.0, delete.then_some(t), t).await?;
    let action = if delete { "creator.deleted" } else { "creator.restored" };
    timeline::record(&mut c, ctx, id.0, action, vec![]).await?;
    tx.commit().await?;
    Ok(())
}

/// The list query as it arrives in a URL (UI and API share it; a search is a link).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreatorQuery {
    /// Free text over names, handles, emails, city, niches and tags.
    pub q: Option<String>,
    /// Lifecycle stage, e.g. `qualified`.
    pub stage: Option<String>,
    /// Comma-separated tags; a creator must carry all of them.
    pub tag: Option<String>,
    /// Has an account on this platform.
    pub platform: Option<String>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<String>,
    /// A user id (`usr_…`) or `none` for creators without an owner.
    pub owner: Option<String>,
    /// Tier by largest following: nano, micro, mid, macro, mega.
    pub tier: Option<String>,
    pub min_followers: Option<String>,
    pub max_followers: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD date.
    pub updated_since: Option<String>,
    /// `true` lists soft-deleted creators instead.
    pub deleted: Option<String>,
    /// `updated_at`, `created_at`, `name`, `followers`; prefix `-` for descending.
    /// Default `-updated_at`.
    pub sort: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<String>,
}

impl CreatorQuery {
    fn text(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// Whether any filter (beyond sort and paging) is set.
    pub fn is_filtered(&self) -> bool {
        [
            &self.q, &self.stage, &self.tag, &self.platform, &self.country, &self.owner, &self.tier,
            &self.min_followers, &self.max_followers, &self.updated_since,
        ]
        .iter()
        .any(|v| Self::text(v).is_some())
    }

    /// The sort as written, normalised (default `-updated_at`).
    pub fn sort_param(&self) -> String {
        Self::text(&self.sort).unwrap_or("-updated_at").to_owned()
    }

    /// Parses into the store's query; every bad parameter is reported by name.
    pub fn parse(&self, tiers: &TierThresholds) -> Result<ListQuery, Invalid> {
        let mut e = Invalid::new();
        let mut q = ListQuery { limit: 50, ..Default::default() };
        q.q = Self::text(&self.q).map(|s| s.chars().take(200).collect());
        q.stage = Self::text(&self.stage)
            .and_then(|s| domain::Stage::parse(s).map_err(|m| e.add("stage", m)).ok())
            .map(|s| s.slug().to_owned());
        if let Some(tags) = Self::text(&self.tag) {
            for t in tags.split(',').filter(|t| !t.trim().is_empty()) {
                match domain::label_value(t) {
                    Ok(t) => q.tags.push(t),
                    Err(m) => e.add("tag", m),
                }
            }
        }
        q.platform = Self::text(&self.platform)
            .and_then(|p| Platform::parse(p).map_err(|m| e.add("platform", m)).ok())
            .map(|p| p.slug().to_owned());
        q.country = Self::text(&self.country).and_then(|c| {
            let c = c.to_ascii_uppercase();
            if domain::is_country_code(&c) {
                Some(c)
            } else {
                e.add("country", "must be an ISO 3166 two-letter country code such as DE");
                None
            }
        });
        match Self::text(&self.owner) {
            Some("none") => q.unowned = true,
            Some(o) => q.owner_id = o.parse::<UserId>().map_err(|m| e.add("owner", m.to_string())).ok().map(|u| u.0),
            None => {}
        }
        let int = |e: &mut Invalid, name: &str, v: &Option<String>| -> Option<i64> {
            Self::text(v).and_then(|s| match s.replace(['_', ' '], "").parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    e.add(name, "must be a whole number ≥ 0");
                    None
                }
            })
        };
        q.min_followers = int(&mut e, "min_followers", &self.min_followers);
        q.max_followers = int(&mut e, "max_followers", &self.max_followers);
        if let Some(t) = Self::text(&self.tier) {
            match Tier::parse(t) {
                Ok(tier) => {
                    let (lo, hi) = tiers.range(tier);
                    q.min_followers = Some(q.min_followers.map_or(lo, |m| m.max(lo)));
                    if let Some(hi) = hi {
                        q.max_followers = Some(q.max_followers.map_or(hi - 1, |m| m.min(hi - 1)));
                    }
                }
                Err(m) => e.add("tier", m),
            }
        }
        if let (Some(lo), Some(hi)) = (q.min_followers, q.max_followers)
            && lo > hi
            && Self::text(&self.tier).is_none()
        {
            e.add("max_followers", "must not be below min_followers");
        }
        q.updated_since = Self::text(&self.updated_since).and_then(|s| {
            parse_time(s).or_else(|| {
                e.add("updated_since", "must be an RFC 3339 time or a YYYY-MM-DD date");
                None
            })
        });
        q.deleted = match Self::text(&self.deleted) {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(_) => {
                e.add("deleted", "must be true or false");
                false
            }
        };
        let sort = self.sort_param();
        let (key, desc) = match parse_sort(&sort) {
            Some(s) => s,
            None => {
                e.add("sort", "must be one of updated_at, created_at, name, followers, optionally prefixed with -");
                (SortKey::Updated, true)
            }
        };
        q.sort = Some((key, desc));
        if let Some(l) = Self::text(&self.limit) {
            match l.parse::<i64>() {
                Ok(n) if (1..=200).contains(&n) => q.limit = n,
                _ => e.add("limit", "must be a whole number from 1 to 200"),
            }
        }
        if let Some(cur) = Self::text(&self.cursor) {
            match decode_cursor(cur, &sort, key) {
                Some(after) => q.after = Some(after),
                None => e.add("cursor", "is not a cursor from this listing (was the sort changed?)"),
            }
        }
        e.into_result(q)
    }
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s, fmt).ok().map(|d| d.midnight().assume_utc())
    })
}

fn parse_sort(s: &str) -> Option<(SortKey, bool)> {
    let (desc, name) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let key = match name {
        "updated_at" => SortKey::Updated,
        "created_at" => SortKey::Created,
        "name" => SortKey::Name,
        "followers" => SortKey::Followers,
        _ => return None,
    };
    Some((key, desc))
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    s: String,
    k: Value,
    id: Uuid,
}

fn encode_cursor(sort: &str, key: &CursorKey, id: Uuid) -> String {
    let k = match key {
        CursorKey::Time(t) => {
            Value::String(t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default())
        }
        CursorKey::Text(s) => Value::String(s.clone()),
        CursorKey::Int(i) => Value::from(*i),
    };
    let json = serde_json::to_vec(&Cursor { s: sort.to_owned(), k, id }).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode_cursor(s: &str, sort: &str, key: SortKey) -> Option<(CursorKey, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
    let c: Cursor = serde_json::from_slice(&bytes).ok()?;
    if c.s != sort {
        return None;
    }
    let k = match key {
        SortKey::Updated | SortKey::Created => {
            CursorKey::Time(OffsetDateTime::parse(c.k.as_str()?, &time::format_description::well_known::Rfc3339).ok()?)
        }
        SortKey::Name => CursorKey::Text(c.k.as_str()?.to_owned()),
        SortKey::Followers => CursorKey::Int(c.k.as_i64()?),
    };
    Some((k, c.id))
}

/// Checks a list query's parameters without running it.
pub async fn check_query(app: &App, ctx: &Ctx, query: &CreatorQuery) -> AppResult<()> {
    let tiers = crate::settings::load(&mut app.db.read().await?.conn(), ctx).await?.tiers;
    query.parse(&tiers)?;
    Ok(())
}

/// One page of creators.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatorPage {
    pub items: Vec<CreatorView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many creators match the filters in all.
    pub total: i64,
}

pub async fn list(app: &App, ctx: &Ctx, query: &CreatorQuery) -> AppResult<CreatorPage> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let tiers = crate::settings::load(&mut c, ctx).await?.tiers;
    let q = query.parse(&tiers)?;
    let mut rows = store::list(&mut c, ctx.ws(), &q).await?;
    let total = store::count(&mut c, ctx.ws(), &q).await?;
    let (key, _) = q.sort.unwrap_or((SortKey::Updated, true));
    let next_cursor = if rows.len() as i64 > q.limit {
        rows.truncate(q.limit as usize);
        rows.last().map(|r| encode_cursor(&query.sort_param(), &key.key_of(r), r.id))
    } else {
        None
    };
    let items = views(&mut c, ctx, rows).await?;
    Ok(CreatorPage { items, next_cursor, total })
}

/// A tag with how many live creators carry it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TagCount {
    pub tag: String,
    pub creators: i64,
}

pub async fn tags(app: &App, ctx: &Ctx) -> AppResult<Vec<TagCount>> {
    let rows = store::tag_counts(&mut app.db.read().await?.conn(), ctx.ws()).await?;
    Ok(rows.into_iter().map(|(tag, creators)| TagCount { tag, creators }).collect())
}
