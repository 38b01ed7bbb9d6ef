//! The workspace playbook: templates for outreach emails, creator briefs and review
//! checklists — list, read, create, edit, soft delete — checked before they are saved, and
//! previewed against a real creator of the workspace with the personalisation warnings.
//! Rendering itself is [`rapport_core::templates::render`].

use crate::App;
use crate::context::Ctx;
use crate::creators::{self, CreatorView};
use crate::error::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::ids::{CreatorId, TemplateId};
use rapport_core::platform::Platform;
use rapport_core::templates::{
    self as domain, CampaignFields, ContentFields, CreatorFields, MergeContext, SenderFields, TemplateKind,
};
use rapport_core::validation::{optional_text, required_text};
use rapport_store::playbook::{self as store, TemplateRow};
use rapport_store::{Conn, StoreError, users};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The longest template name, in characters.
pub const MAX_NAME: usize = 100;
/// The longest campaign name and content title a preview takes.
pub const MAX_PREVIEW_TEXT: usize = 300;
/// What a preview shows where the real unsubscribe link goes when the message is sent.
pub const UNSUBSCRIBE_PLACEHOLDER: &str = "[unsubscribe link, added when the email is sent]";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    #[schema(value_type = String, example = "tpl_0193…")]
    pub id: TemplateId,
    /// `email`, `brief` or `review_checklist`.
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    /// Emails only.
    pub subject: Option<String>,
    pub body: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// A template as sent. Creating needs `kind`, `name` and `body` (and `subject` for an
/// email); on PATCH absent fields stay. Templates use merge fields such as
/// `{{ creator.first_name }}` (see `GET /playbook/merge-fields`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// `email`, `brief` or `review_checklist`.
    pub kind: Option<String>,
    pub name: Option<String>,
    /// Emails only; itself a template.
    pub subject: Option<String>,
    pub body: Option<String>,
}

/// What to preview a template against: a creator of the workspace and, optionally, the
/// campaign and the piece of the creator's content the message refers to.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    /// `cr_…`
    pub creator_id: Option<String>,
    pub campaign_name: Option<String>,
    /// An `http(s)` link to a post, video or article of the creator's.
    pub content_url: Option<String>,
    pub content_title: Option<String>,
}

/// Which templates a list shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TemplateQuery {
    /// `email`, `brief` or `review_checklist`; all kinds when absent.
    pub kind: Option<String>,
}

/// A personalisation warning.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WarningView {
    /// `no_creator_reference`, `creator_not_in_message` or `blank_field`.
    pub code: String,
    pub message: String,
}

/// A template rendered for one creator. An email's body is plain text; a brief's or
/// checklist's is HTML with the merge values escaped.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    pub creator_name: String,
    pub kind: String,
    /// Empty for kinds without a subject.
    pub subject: String,
    pub body: String,
    pub warnings: Vec<WarningView>,
}

/// A merge field and what it holds, for editors.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MergeFieldView {
    pub name: String,
    pub description: String,
}

pub fn merge_fields() -> Vec<MergeFieldView> {
    domain::MERGE_FIELDS
        .iter()
        .map(|f| MergeFieldView { name: f.name.into(), description: f.description.into() })
        .collect()
}

fn view(r: TemplateRow) -> TemplateView {
    let kind = TemplateKind::parse(&r.kind);
    TemplateView {
        id: TemplateId(r.id),
        kind_label: kind.map(|k| k.label()).unwrap_or_default().into(),
        kind: r.kind,
        name: r.name,
        subject: r.subject,
        body: r.body,
        created_by: r.created_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn parse_kind(e: &mut Invalid, v: Option<&str>) -> Option<TemplateKind> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            e.add("kind", "is required: email, brief or review_checklist");
            None
        }
        Some(k) => TemplateKind::parse(k).or_else(|| {
            e.add("kind", "must be email, brief or review_checklist");
            None
        }),
    }
}

/// The template text as it would be saved: each field checked, then the template itself.
struct Draft {
    kind: TemplateKind,
    name: String,
    subject: Option<String>,
    body: String,
}

fn draft(input: &TemplateInput) -> Result<Draft, Invalid> {
    let mut e = Invalid::new();
    let kind = parse_kind(&mut e, input.kind.as_deref());
    let name = required_text(&mut e, "name", input.name.as_deref(), MAX_NAME);
    let body = input.body.clone().unwrap_or_default();
    if body.trim().is_empty() {
        e.add("body", "is required");
    } else if body.chars().count() > domain::MAX_BODY {
        e.add("body", format!("must be at most {} characters", domain::MAX_BODY));
    }
    let subject = input.subject.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (kind, subject) {
        (Some(k), None) if k.has_subject() => e.add("subject", "is required for an email"),
        (Some(k), Some(_)) if !k.has_subject() => e.add("subject", "is only for email templates; leave it empty"),
        (_, Some(s)) if s.chars().count() > domain::MAX_SUBJECT => {
            e.add("subject", format!("must be at most {} characters", domain::MAX_SUBJECT))
        }
        _ => {}
    }
    let Some(kind) = kind else { return Err(e) };
    // The template text itself, for each part that passed the checks above.
    if let Err(bad) = domain::check(kind, subject.unwrap_or_default(), &body) {
        let fresh: Vec<_> = bad.errors.into_iter().filter(|f| e.message_for(&f.field).is_none()).collect();
        e.errors.extend(fresh);
    }
    e.into_result(Draft { kind, name, subject: subject.map(str::to_owned), body })
}

fn name_taken(kind: TemplateKind) -> Invalid {
    Invalid::one("name", format!("is already the name of another {} template", kind.label().to_lowercase()))
}

/// A unique-name refusal from the database (two saves at once) reads like the check.
fn unique(kind: TemplateKind) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict { .. } => name_taken(kind).into(),
        other => other.into(),
    }
}

async fn ensure_free(c: &mut Conn<'_>, ctx: &Ctx, d: &Draft, except: Option<TemplateId>) -> AppResult<()> {
    match store::named(c, ctx.ws(), d.kind.slug(), &d.name, except.map(|t| t.0)).await? {
        Some(_) => Err(name_taken(d.kind).into()),
        None => Ok(()),
    }
}

pub async fn create(app: &App, ctx: &Ctx, input: TemplateInput) -> AppResult<TemplateView> {
    ctx.require_write()?;
    let d = draft(&input)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    ensure_free(&mut c, ctx, &d, None).await?;
    let t = now();
    let row = TemplateRow {
        id: TemplateId::new().0,
        kind: d.kind.slug().into(),
        name: d.name,
        subject: d.subject,
        body: d.body,
        created_by: ctx.actor.to_string(),
        created_at: t,
        updated_at: t,
        deleted_at: None,
    };
    store::insert(&mut c, ctx.ws(), &row).await.map_err(unique(d.kind))?;
    tx.commit().await?;
    Ok(view(row))
}

pub async fn get(app: &App, ctx: &Ctx, id: TemplateId) -> AppResult<TemplateView> {
    let mut r = app.db.read().await?;
    let row = store::get(&mut r.conn(), ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    Ok(view(row))
}

/// Live templates by kind then name; `kind` narrows to one kind.
pub async fn list(app: &App, ctx: &Ctx, kind: Option<&str>) -> AppResult<Vec<TemplateView>> {
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(
            TemplateKind::parse(k).ok_or_else(|| Invalid::one("kind", "must be email, brief or review_checklist"))?,
        ),
        None => None,
    };
    let mut r = app.db.read().await?;
    Ok(store::list(&mut r.conn(), ctx.ws(), kind.map(|k| k.slug())).await?.into_iter().map(view).collect())
}

/// Changes a template; absent fields stay. Turning an email into another kind drops its
/// subject unless one is sent (which is then refused).
pub async fn update(app: &App, ctx: &Ctx, id: TemplateId, patch: TemplateInput) -> AppResult<TemplateView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    let kind = patch.kind.clone().unwrap_or_else(|| row.kind.clone());
    let keeps_subject = TemplateKind::parse(&kind).is_some_and(TemplateKind::has_subject);
    let merged = TemplateInput {
        subject: patch.subject.or_else(|| row.subject.clone().filter(|_| keeps_subject)),
        name: patch.name.or_else(|| Some(row.name.clone())),
        body: patch.body.or_else(|| Some(row.body.clone())),
        kind: Some(kind),
    };
    let d = draft(&merged)?;
    ensure_free(&mut c, ctx, &d, Some(id)).await?;
    let row = TemplateRow {
        kind: d.kind.slug().into(),
        name: d.name,
        subject: d.subject,
        body: d.body,
        updated_at: now(),
        ..row
    };
    store::update(&mut c, ctx.ws(), &row).await.map_err(unique(d.kind))?;
    tx.commit().await?;
    Ok(view(row))
}

/// Soft-deletes a template; its name is free again.
pub async fn delete(app: &App, ctx: &Ctx, id: TemplateId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let n = store::set_deleted(&mut tx.conn(), ctx.ws(), id.0, now()).await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The merge fields of a creator: their name and their largest account.
pub fn creator_fields(v: &CreatorView) -> CreatorFields {
    let largest = v.social_accounts.iter().enumerate().max_by_key(|(i, a)| (a.followers.unwrap_or(0), -(*i as i64)));
    let account = largest.map(|(_, a)| {
        let platform = Platform::parse(&a.platform).map(Platform::label).unwrap_or(a.platform.as_str());
        (platform, a.handle.as_str())
    });
    CreatorFields::new(&v.display_name, account)
}

/// The sender's merge fields: the person acting; empty for an API key.
async fn sender(c: &mut Conn<'_>, ctx: &Ctx) -> AppResult<SenderFields> {
    let Some(me) = ctx.actor.user_id() else { return Ok(SenderFields::default()) };
    let members = users::list_members(c, ctx.ws()).await?;
    Ok(members
        .into_iter()
        .find(|m| m.user_id == me.0)
        .map(|m| SenderFields { name: m.name, email: m.email })
        .unwrap_or_default())
}

fn content_url(e: &mut Invalid, v: Option<&str>) -> String {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return String::new() };
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() && v.len() <= 2000 => v.to_owned(),
        _ => {
            e.add("content_url", "must be a link starting with https:// or http://");
            String::new()
        }
    }
}

/// Renders template text (saved or as being edited) for a creator of the workspace. Bad
/// template text is a 422 naming `subject` or `body`; another workspace's creator is 404.
pub async fn preview_text(
    app: &App,
    ctx: &Ctx,
    template: &TemplateInput,
    input: &PreviewInput,
) -> AppResult<PreviewView> {
    let mut e = Invalid::new();
    let creator = match input.creator_id.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            e.add("creator_id", "is required: choose a creator to preview with");
            None
        }
        Some(v) => v.parse::<CreatorId>().map_err(|bad| e.add("creator_id", bad.to_string())).ok(),
    };
    let campaign = optional_text(&mut e, "campaign_name", input.campaign_name.as_deref(), MAX_PREVIEW_TEXT);
    let title = optional_text(&mut e, "content_title", input.content_title.as_deref(), MAX_PREVIEW_TEXT);
    let url = content_url(&mut e, input.content_url.as_deref());
    let d = draft(&TemplateInput { name: Some("preview".into()), ..template.clone() });
    if let Err(bad) = d.as_ref() {
        e.errors.extend(bad.errors.iter().filter(|f| f.field != "name").cloned());
    }
    let (Some(creator), Ok(d)) = (creator, d) else { return Err(e.into()) };
    e.into_result(())?;
    let v = creators::get(app, ctx, creator).await?;
    if v.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    let mut r = app.db.read().await?;
    let ctx_fields = MergeContext {
        creator: creator_fields(&v),
        content: ContentFields { title: title.unwrap_or_default(), url },
        campaign: CampaignFields { name: campaign.unwrap_or_default() },
        sender: sender(&mut r.conn(), ctx).await?,
        unsubscribe_url: UNSUBSCRIBE_PLACEHOLDER.into(),
    };
    let out = domain::render(d.kind, d.subject.as_deref().unwrap_or_default(), &d.body, &ctx_fields)
        .map_err(Invalid::from)?;
    Ok(PreviewView {
        creator_id: v.id,
        creator_name: v.display_name,
        kind: d.kind.slug().into(),
        subject: out.subject,
        body: out.body,
        warnings: out.warnings.into_iter().map(|w| WarningView { code: w.code.into(), message: w.message }).collect(),
    })
}

/// Previews a saved template for a creator.
pub async fn preview(app: &App, ctx: &Ctx, id: TemplateId, input: &PreviewInput) -> AppResult<PreviewView> {
    let t = get(app, ctx, id).await?;
    let text = TemplateInput { kind: Some(t.kind), name: Some(t.name), subject: t.subject, body: Some(t.body) };
    preview_text(app, ctx, &text, input).await
}
