//! Briefs (`briefs`, one row per version of a campaign's brief) and the creators'
//! acknowledgements of a version (`brief_acknowledgements`).

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BriefRow {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub version: i64,
    pub goals: String,
    pub key_messages: Option<String>,
    pub dos: Option<String>,
    pub donts: Option<String>,
    pub non_negotiables: Option<String>,
    pub creative_freedom: Option<String>,
    pub reference_notes: Option<String>,
    /// JSON array of file ids.
    pub attachment_ids: String,
    pub template_id: Option<Uuid>,
    /// The playbook template's text as it was when this version was saved.
    pub body_template: Option<String>,
    pub created_by: String,
    pub created_by_label: String,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, campaign_id, version, goals, key_messages, dos, donts, non_negotiables, creative_freedom, \
                       reference_notes, attachment_ids, template_id, body_template, created_by, created_by_label, created_at";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &BriefRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO briefs (id, workspace_id, campaign_id, version, goals, key_messages, dos, donts, non_negotiables, \
         creative_freedom, reference_notes, attachment_ids, template_id, body_template, created_by, created_by_label, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        args![
            r.id,
            workspace_id,
            r.campaign_id,
            r.version,
            r.goals.clone(),
            r.key_messages.clone(),
            r.dos.clone(),
            r.donts.clone(),
            r.non_negotiables.clone(),
            r.creative_freedom.clone(),
            r.reference_notes.clone(),
            r.attachment_ids.clone(),
            r.template_id,
            r.body_template.clone(),
            r.created_by.clone(),
            r.created_by_label.clone(),
            r.created_at
        ],
    )
    .await?;
    Ok(())
}

/// The newest version of a campaign's brief.
pub async fn latest(c: &mut Conn<'_>, workspace_id: Uuid, campaign: Uuid) -> StoreResult<Option<BriefRow>> {
    c.fetch_optional(
        format!(
            "SELECT {COLUMNS} FROM briefs WHERE workspace_id = $1 AND campaign_id = $2 ORDER BY version DESC LIMIT 1"
        ),
        args![workspace_id, campaign],
    )
    .await
}

/// Every version of a campaign's brief, newest first.
pub async fn versions(c: &mut Conn<'_>, workspace_id: Uuid, campaign: Uuid) -> StoreResult<Vec<BriefRow>> {
    c.fetch_all(
        format!("SELECT {COLUMNS} FROM briefs WHERE workspace_id = $1 AND campaign_id = $2 ORDER BY version DESC"),
        args![workspace_id, campaign],
    )
    .await
}

/// One version by number.
pub async fn version(c: &mut Conn<'_>, workspace_id: Uuid, campaign: Uuid, n: i64) -> StoreResult<Option<BriefRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM briefs WHERE workspace_id = $1 AND campaign_id = $2 AND version = $3"),
        args![workspace_id, campaign, n],
    )
    .await
}

/// A creator's acknowledgement of a brief version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AcknowledgementRow {
    pub id: Uuid,
    pub brief_id: Uuid,
    pub collaboration_id: Uuid,
    pub version: i64,
    pub acknowledged_at: OffsetDateTime,
}

/// Records an acknowledgement; acknowledging the same version again changes nothing.
pub async fn acknowledge(c: &mut Conn<'_>, workspace_id: Uuid, r: &AcknowledgementRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO brief_acknowledgements (id, workspace_id, brief_id, collaboration_id, version, acknowledged_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (brief_id, collaboration_id) DO NOTHING",
        args![r.id, workspace_id, r.brief_id, r.collaboration_id, r.version, r.acknowledged_at],
    )
    .await?;
    Ok(())
}

/// Every acknowledgement on a campaign's briefs, newest version first.
pub async fn acknowledgements(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    campaign: Uuid,
) -> StoreResult<Vec<AcknowledgementRow>> {
    c.fetch_all(
        "SELECT a.id, a.brief_id, a.collaboration_id, a.version, a.acknowledged_at FROM brief_acknowledgements a \
         JOIN briefs b ON b.id = a.brief_id WHERE a.workspace_id = $1 AND b.campaign_id = $2 \
         ORDER BY a.version DESC, a.acknowledged_at",
        args![workspace_id, campaign],
    )
    .await
}
