//! Briefs: each save of a campaign's brief is a new version (nothing is overwritten), it
//! can open with a playbook brief template (copied into the version and rendered for each
//! creator with their merge fields), and a creator acknowledges the version they read.

use crate::App;
use crate::campaigns::require_campaign;
use crate::collaborations::require_collaboration;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::briefs::{BriefInput, items, validate};
use rapport_core::diff::Change;
use rapport_core::ids::{BriefId, CampaignId, CollaborationId, TemplateId};
use rapport_core::templates::{CampaignFields, CreatorFields, MergeContext, TemplateKind, render};
use rapport_store::Conn;
use rapport_store::briefs::{self as store, AcknowledgementRow, BriefRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BriefView {
    #[schema(value_type = String, example = "br_0193…")]
    pub id: BriefId,
    #[schema(value_type = String, example = "cp_0193…")]
    pub campaign_id: CampaignId,
    pub version: i64,
    pub goals: String,
    pub key_messages: Vec<String>,
    pub dos: Vec<String>,
    pub donts: Vec<String>,
    pub non_negotiables: Vec<String>,
    pub creative_freedom: Option<String>,
    pub references: Vec<String>,
    /// Uploaded files (`fl_…`) attached to this version.
    pub attachment_ids: Vec<String>,
    #[schema(value_type = Option<String>, example = "tpl_0193…")]
    pub template_id: Option<TemplateId>,
    /// The template's text rendered for the reader (HTML, merge values escaped); for the
    /// team it is rendered without a creator.
    pub body_html: Option<String>,
    pub created_by_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// Who has read which version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AcknowledgementView {
    #[schema(value_type = String, example = "col_0193…")]
    pub collaboration_id: CollaborationId,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub acknowledged_at: OffsetDateTime,
}

/// A campaign's brief: the current version, the older ones and the acknowledgements.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BriefHistory {
    pub current: Option<BriefView>,
    /// Every version, newest first (the current one included).
    pub versions: Vec<BriefView>,
    pub acknowledgements: Vec<AcknowledgementView>,
}

/// An acknowledgement as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeInput {
    /// The version read.
    pub version: Option<i64>,
}

/// The view of a stored version, rendered for `creator` (blank for the team).
pub fn view(r: BriefRow, campaign_name: &str, creator: CreatorFields) -> BriefView {
    // A template that no longer renders shows nothing rather than failing the page.
    let body_html = r.body_template.as_deref().and_then(|src| {
        let ctx = MergeContext {
            creator,
            campaign: CampaignFields { name: campaign_name.to_owned() },
            ..MergeContext::default()
        };
        render(TemplateKind::Brief, "", src, &ctx).ok().map(|x| x.body)
    });
    BriefView {
        id: BriefId(r.id),
        campaign_id: CampaignId(r.campaign_id),
        version: r.version,
        key_messages: items(r.key_messages.as_deref()),
        dos: items(r.dos.as_deref()),
        donts: items(r.donts.as_deref()),
        non_negotiables: items(r.non_negotiables.as_deref()),
        references: items(r.reference_notes.as_deref()),
        attachment_ids: serde_json::from_str(&r.attachment_ids).unwrap_or_default(),
        template_id: r.template_id.map(TemplateId),
        body_html,
        created_by_label: r.created_by_label,
        created_at: r.created_at,
        goals: r.goals,
        creative_freedom: r.creative_freedom,
    }
}

/// The editable text of a version (list sections one item per line), for the form.
pub fn editable(r: &BriefView) -> BriefInput {
    let lines = |v: &[String]| if v.is_empty() { None } else { Some(v.join("\n")) };
    BriefInput {
        goals: Some(r.goals.clone()),
        key_messages: lines(&r.key_messages),
        dos: lines(&r.dos),
        donts: lines(&r.donts),
        non_negotiables: lines(&r.non_negotiables),
        creative_freedom: r.creative_freedom.clone(),
        references: lines(&r.references),
        attachment_ids: Some(r.attachment_ids.clone()),
        template_id: r.template_id.map(|t| t.to_string()),
    }
}

/// The brief template a version opens with: one of the workspace playbook's brief
/// templates, whose text is copied.
async fn template(c: &mut Conn<'_>, ctx: &Ctx, e: &mut Invalid, v: Option<&str>) -> AppResult<Option<(Uuid, String)>> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let Ok(id) = v.parse::<TemplateId>() else {
        e.add("template_id", "is not a template id (tpl_…)");
        return Ok(None);
    };
    match rapport_store::playbook::get(c, ctx.ws(), id.0).await? {
        Some(t) if t.deleted_at.is_none() && t.kind == TemplateKind::Brief.slug() => Ok(Some((t.id, t.body))),
        Some(t) if t.deleted_at.is_none() => {
            e.add("template_id", format!("is a {} template, not a brief template", t.kind));
            Ok(None)
        }
        _ => {
            e.add("template_id", "is not a template of this workspace's playbook");
            Ok(None)
        }
    }
}

/// Saves a new version of a campaign's brief (version 1 when it has none).
pub async fn save(app: &App, ctx: &Ctx, campaign: CampaignId, input: BriefInput) -> AppResult<BriefView> {
    ctx.require_write()?;
    let mut e = Invalid::new();
    let brief = e.absorb(validate(&input));
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let camp = require_campaign(&mut c, ctx, campaign, false).await?;
    let tpl = template(&mut c, ctx, &mut e, input.template_id.as_deref()).await?;
    let attachments =
        crate::files::require_all(&mut c, ctx, &mut e, "attachment_ids", input.attachment_ids.as_deref()).await?;
    let brief = e.into_result(brief)?.ok_or_else(|| AppError::Internal("brief".into()))?;
    let version = store::latest(&mut c, ctx.ws(), camp.id).await?.map_or(1, |b| b.version + 1);
    let row = BriefRow {
        id: Uuid::now_v7(),
        campaign_id: camp.id,
        version,
        goals: brief.goals,
        key_messages: brief.key_messages,
        dos: brief.dos,
        donts: brief.donts,
        non_negotiables: brief.non_negotiables,
        creative_freedom: brief.creative_freedom,
        reference_notes: brief.references,
        attachment_ids: serde_json::to_string(&attachments).map_err(|e| AppError::Internal(e.to_string()))?,
        template_id: tpl.as_ref().map(|t| t.0),
        body_template: tpl.map(|t| t.1),
        created_by: ctx.actor.to_string(),
        created_by_label: ctx.actor_label.clone(),
        created_at: now(),
    };
    store::insert(&mut c, ctx.ws(), &row).await?;
    tx.commit().await?;
    Ok(view(row, &camp.name, CreatorFields::default()))
}

/// A campaign's brief with its versions and acknowledgements.
pub async fn history(app: &App, ctx: &Ctx, campaign: CampaignId) -> AppResult<BriefHistory> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let camp = require_campaign(&mut c, ctx, campaign, false).await?;
    let versions: Vec<BriefView> = store::versions(&mut c, ctx.ws(), camp.id)
        .await?
        .into_iter()
        .map(|b| view(b, &camp.name, CreatorFields::default()))
        .collect();
    let acknowledgements = store::acknowledgements(&mut c, ctx.ws(), camp.id)
        .await?
        .into_iter()
        .map(|a| AcknowledgementView {
            collaboration_id: CollaborationId(a.collaboration_id),
            version: a.version,
            acknowledged_at: a.acknowledged_at,
        })
        .collect();
    Ok(BriefHistory { current: versions.first().cloned(), versions, acknowledgements })
}

/// The current brief of a collaboration's campaign as its creator reads it (rendered with
/// their name), with the newest version they acknowledged.
pub async fn for_collaboration(
    app: &App,
    ctx: &Ctx,
    collaboration: CollaborationId,
) -> AppResult<(Option<BriefView>, Option<i64>)> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let collab = require_collaboration(c, ctx, collaboration).await?;
    let creator = CreatorFields::new(&collab.creator_name, None);
    let current = store::latest(c, ctx.ws(), collab.campaign_id).await?;
    let acknowledged = store::acknowledgements(c, ctx.ws(), collab.campaign_id)
        .await?
        .into_iter()
        .filter(|a| a.collaboration_id == collab.id)
        .map(|a| a.version)
        .max();
    Ok((current.map(|b| view(b, &collab.campaign_name, creator)), acknowledged))
}

/// The creator (in the portal) or the team for them records that version N was read.
/// Acknowledging a version twice changes nothing.
pub async fn acknowledge(
    app: &App,
    ctx: &Ctx,
    collaboration: CollaborationId,
    input: AcknowledgeInput,
) -> AppResult<AcknowledgementView> {
    ctx.require_contributor()?;
    let Some(n) = input.version else { return Err(Invalid::one("version", "is required").into()) };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let collab = require_collaboration(&mut c, ctx, collaboration).await?;
    let Some(brief) = store::version(&mut c, ctx.ws(), collab.campaign_id, n).await? else {
        return Err(Invalid::one("version", format!("the brief has no version {n}")).into());
    };
    let t = now();
    store::acknowledge(
        &mut c,
        ctx.ws(),
        &AcknowledgementRow {
            id: Uuid::now_v7(),
            brief_id: brief.id,
            collaboration_id: collab.id,
            version: n,
            acknowledged_at: t,
        },
    )
    .await?;
    timeline::record(
        &mut c,
        ctx,
        collab.creator_id,
        "brief.acknowledged",
        vec![Change {
            field: format!("brief of {}", collab.campaign_name),
            before: Value::Null,
            after: Value::String(format!("version {n}")),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(AcknowledgementView { collaboration_id: CollaborationId(collab.id), version: n, acknowledged_at: t })
}
