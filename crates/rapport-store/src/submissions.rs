//! Drafts submitted for review (`submissions`, one version per round), the reviewers'
//! comments (`submission_comments`) and share links for reviewers without an account
//! (`review_links`, keyed by a hash of the link's secret).

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubmissionRow {
    pub id: Uuid,
    pub deliverable_id: Uuid,
    pub version: i64,
    pub caption: Option<String>,
    /// JSON array of links.
    pub links: String,
    /// JSON array of file ids.
    pub file_ids: String,
    pub note: Option<String>,
    pub submitted_by: String,
    pub submitted_by_label: String,
    pub submitted_at: OffsetDateTime,
    /// JSON array of `{item, checked}`.
    pub checklist: String,
    /// JSON of the disclosure check's report.
    pub disclosure: String,
    pub decision: Option<String>,
    pub feedback: Option<String>,
    pub decided_by: Option<String>,
    pub decided_by_label: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, deliverable_id, version, caption, links, file_ids, note, submitted_by, submitted_by_label, \
                       submitted_at, checklist, disclosure, decision, feedback, decided_by, decided_by_label, decided_at";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &SubmissionRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO submissions (id, workspace_id, deliverable_id, version, caption, links, file_ids, note, \
         submitted_by, submitted_by_label, submitted_at, checklist, disclosure, decision, feedback, decided_by, \
         decided_by_label, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        args![
            r.id,
            workspace_id,
            r.deliverable_id,
            r.version,
            r.caption.clone(),
            r.links.clone(),
            r.file_ids.clone(),
            r.note.clone(),
            r.submitted_by.clone(),
            r.submitted_by_label.clone(),
            r.submitted_at,
            r.checklist.clone(),
            r.disclosure.clone(),
            r.decision.clone(),
            r.feedback.clone(),
            r.decided_by.clone(),
            r.decided_by_label.clone(),
            r.decided_at
        ],
    )
    .await?;
    Ok(())
}

/// Records the decision on a submission that has none yet; 0 when another reviewer was
/// faster.
pub async fn decide(c: &mut Conn<'_>, workspace_id: Uuid, r: &SubmissionRow) -> StoreResult<u64> {
    c.execute(
        "UPDATE submissions SET checklist = $3, decision = $4, feedback = $5, decided_by = $6, decided_by_label = $7, \
         decided_at = $8 WHERE workspace_id = $1 AND id = $2 AND decision IS NULL",
        args![
            workspace_id,
            r.id,
            r.checklist.clone(),
            r.decision.clone(),
            r.feedback.clone(),
            r.decided_by.clone(),
            r.decided_by_label.clone(),
            r.decided_at
        ],
    )
    .await
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<SubmissionRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM submissions WHERE workspace_id = $1 AND id = $2"),
        args![workspace_id, id],
    )
    .await
}

/// A deliverable's submissions, oldest first.
pub async fn list_for(c: &mut Conn<'_>, workspace_id: Uuid, deliverable: Uuid) -> StoreResult<Vec<SubmissionRow>> {
    c.fetch_all(
        format!("SELECT {COLUMNS} FROM submissions WHERE workspace_id = $1 AND deliverable_id = $2 ORDER BY version"),
        args![workspace_id, deliverable],
    )
    .await
}

/// A comment on a submission.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub author: String,
    pub author_label: String,
    pub body: String,
    pub created_at: OffsetDateTime,
}

pub async fn insert_comment(c: &mut Conn<'_>, workspace_id: Uuid, r: &CommentRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO submission_comments (id, workspace_id, submission_id, author, author_label, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            r.id,
            workspace_id,
            r.submission_id,
            r.author.clone(),
            r.author_label.clone(),
            r.body.clone(),
            r.created_at
        ],
    )
    .await?;
    Ok(())
}

/// The comments on a deliverable's submissions, oldest first.
pub async fn comments_for(c: &mut Conn<'_>, workspace_id: Uuid, deliverable: Uuid) -> StoreResult<Vec<CommentRow>> {
    c.fetch_all(
        "SELECT m.id, m.submission_id, m.author, m.author_label, m.body, m.created_at FROM submission_comments m \
         JOIN submissions s ON s.id = m.submission_id WHERE m.workspace_id = $1 AND s.deliverable_id = $2 \
         ORDER BY m.id",
        args![workspace_id, deliverable],
    )
    .await
}

/// A share link for a reviewer without an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewLinkRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub deliverable_id: Uuid,
    pub label: Option<String>,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

const LINK_COLUMNS: &str = "id, workspace_id, deliverable_id, label, expires_at, revoked_at, created_by, created_at";

pub async fn insert_link(c: &mut Conn<'_>, r: &ReviewLinkRow, token_hash: Vec<u8>) -> StoreResult<()> {
    c.execute(
        "INSERT INTO review_links (id, workspace_id, deliverable_id, token_hash, label, expires_at, revoked_at, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            r.id,
            r.workspace_id,
            r.deliverable_id,
            token_hash,
            r.label.clone(),
            r.expires_at,
            r.revoked_at,
            r.created_by.clone(),
            r.created_at
        ],
    )
    .await?;
    Ok(())
}

/// The link with this secret's hash, in whatever workspace (the secret is the credential).
pub async fn link_by_hash(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<Option<ReviewLinkRow>> {
    c.fetch_optional(format!("SELECT {LINK_COLUMNS} FROM review_links WHERE token_hash = $1"), args![token_hash]).await
}

/// A deliverable's share links, newest first.
pub async fn links_for(c: &mut Conn<'_>, workspace_id: Uuid, deliverable: Uuid) -> StoreResult<Vec<ReviewLinkRow>> {
    c.fetch_all(
        format!(
            "SELECT {LINK_COLUMNS} FROM review_links WHERE workspace_id = $1 AND deliverable_id = $2 ORDER BY id DESC"
        ),
        args![workspace_id, deliverable],
    )
    .await
}

/// Revokes a link of the workspace; 0 when there is no such live link.
pub async fn revoke_link(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, at: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE review_links SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
        args![workspace_id, id, at],
    )
    .await
}

/// Whether a file is attached to one of a deliverable's drafts (what a share link shows).
pub async fn file_in_deliverable(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    deliverable: Uuid,
    file: &str,
) -> StoreResult<bool> {
    let needle = format!("%\"{file}\"%");
    let n = c
        .scalar_i64(
            "SELECT COUNT(*) FROM submissions WHERE workspace_id = $1 AND deliverable_id = $2 AND file_ids LIKE $3",
            args![workspace_id, deliverable, needle],
        )
        .await?;
    Ok(n > 0)
}
