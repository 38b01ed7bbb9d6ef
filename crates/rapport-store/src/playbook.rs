//! The workspace playbook's templates (`playbook_templates`): emails, briefs and review
//! checklists, soft-deleted so a sent message can still name the template it came from.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub id: Uuid,
    /// `email`, `brief` or `review_checklist`.
    pub kind: String,
    pub name: String,
    /// Emails only.
    pub subject: Option<String>,
    pub body: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT id, kind, name, subject, body, created_by, created_at, updated_at, deleted_at \
                      FROM playbook_templates";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, t: &TemplateRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO playbook_templates \
         (id, workspace_id, kind, name, subject, body, created_by, created_at, updated_at, deleted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            t.id,
            workspace_id,
            t.kind.clone(),
            t.name.clone(),
            t.subject.clone(),
            t.body.clone(),
            t.created_by.clone(),
            t.created_at,
            t.updated_at,
            t.deleted_at
        ],
    )
    .await?;
    Ok(())
}

/// Writes the editable columns of a live template.
pub async fn update(c: &mut Conn<'_>, workspace_id: Uuid, t: &TemplateRow) -> StoreResult<u64> {
    c.execute(
        "UPDATE playbook_templates SET kind = $3, name = $4, subject = $5, body = $6, updated_at = $7 \
         WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        args![workspace_id, t.id, t.kind.clone(), t.name.clone(), t.subject.clone(), t.body.clone(), t.updated_at],
    )
    .await
}

/// Soft-deletes a live template.
pub async fn set_deleted(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, at: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE playbook_templates SET deleted_at = $3, updated_at = $3 \
         WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        args![workspace_id, id, at],
    )
    .await
}

/// A live template.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<TemplateRow>> {
    c.fetch_optional(
        format!("{SELECT} WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"),
        args![workspace_id, id],
    )
    .await
}

/// Live templates, by kind then name; one kind when given.
pub async fn list(c: &mut Conn<'_>, workspace_id: Uuid, kind: Option<&str>) -> StoreResult<Vec<TemplateRow>> {
    let order = "ORDER BY CASE kind WHEN 'email' THEN 0 WHEN 'brief' THEN 1 ELSE 2 END, lower(name), id";
    match kind {
        Some(k) => {
            c.fetch_all(
                format!("{SELECT} WHERE workspace_id = $1 AND deleted_at IS NULL AND kind = $2 {order}"),
                args![workspace_id, k.to_owned()],
            )
            .await
        }
        None => {
            c.fetch_all(format!("{SELECT} WHERE workspace_id = $1 AND deleted_at IS NULL {order}"), args![workspace_id])
                .await
        }
    }
}

/// The live template of this kind whose name matches ignoring case, other than `except`.
pub async fn named(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    kind: &str,
    name: &str,
    except: Option<Uuid>,
) -> StoreResult<Option<Uuid>> {
    let rows: Vec<TemplateRow> = c
        .fetch_all(
            format!(
                "{SELECT} WHERE workspace_id = $1 AND kind = $2 AND lower(name) = lower($3) AND deleted_at IS NULL"
            ),
            args![workspace_id, kind.to_owned(), name.to_owned()],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.id).find(|id| Some(*id) != except))
}
