//! Offers and counter-offers on a collaboration (`offers`): the negotiation history. The
//! stored status is never `expired`; that is derived from `expires_at` when read.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use crate::sql::Filter;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferRow {
    pub id: Uuid,
    pub collaboration_id: Uuid,
    pub direction: String,
    pub amount_minor: i64,
    pub currency: String,
    pub deliverables: Option<String>,
    pub usage_rights: Option<String>,
    pub exclusivity: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
    pub status: String,
    pub created_by: String,
    pub created_by_label: String,
    pub created_at: OffsetDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, collaboration_id, direction, amount_minor, currency, deliverables, usage_rights, \
                       exclusivity, expires_at, status, created_by, created_by_label, created_at, decided_by, decided_at";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &OfferRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO offers (id, workspace_id, collaboration_id, direction, amount_minor, currency, deliverables, \
         usage_rights, exclusivity, expires_at, status, created_by, created_by_label, created_at, decided_by, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        args![
            r.id,
            workspace_id,
            r.collaboration_id,
            r.direction.clone(),
            r.amount_minor,
            r.currency.clone(),
            r.deliverables.clone(),
            r.usage_rights.clone(),
            r.exclusivity.clone(),
            r.expires_at,
            r.status.clone(),
            r.created_by.clone(),
            r.created_by_label.clone(),
            r.created_at,
            r.decided_by.clone(),
            r.decided_at
        ],
    )
    .await?;
    Ok(())
}

/// An offer of the workspace.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<OfferRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM offers WHERE workspace_id = $1 AND id = $2"),
        args![workspace_id, id],
    )
    .await
}

/// Records a decision on an offer that is still open in storage; returns the rows changed
/// (0 when someone decided it first).
pub async fn decide(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    status: &str,
    by: &str,
    at: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE offers SET status = $3, decided_by = $4, decided_at = $5 \
         WHERE workspace_id = $1 AND id = $2 AND status = 'open'",
        args![workspace_id, id, status, by, at],
    )
    .await
}

/// A collaboration's offers, oldest first (ids are time-ordered).
pub async fn list_for(c: &mut Conn<'_>, workspace_id: Uuid, collaboration: Uuid) -> StoreResult<Vec<OfferRow>> {
    c.fetch_all(
        format!("SELECT {COLUMNS} FROM offers WHERE workspace_id = $1 AND collaboration_id = $2 ORDER BY id"),
        args![workspace_id, collaboration],
    )
    .await
}

/// The newest offer of each of the given collaborations.
pub async fn latest_for(c: &mut Conn<'_>, workspace_id: Uuid, collaborations: &[Uuid]) -> StoreResult<Vec<OfferRow>> {
    if collaborations.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::with_args(args![workspace_id]);
    let list = f.uuid_list(collaborations);
    let (sql, a) = f.finish(format!(
        "SELECT {COLUMNS} FROM offers o WHERE workspace_id = $1 AND collaboration_id IN ({list}) \
         AND NOT EXISTS (SELECT 1 FROM offers n WHERE n.collaboration_id = o.collaboration_id AND n.id > o.id)"
    ));
    c.fetch_all(sql, a).await
}

/// Open offers whose expiry falls in `(from, until]`, across all workspaces (the reminder
/// of an expiring offer), with their workspace.
pub async fn expiring(
    c: &mut Conn<'_>,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> StoreResult<Vec<(Uuid, OfferRow)>> {
    #[derive(sqlx::FromRow)]
    struct WithWs {
        workspace_id: Uuid,
        #[sqlx(flatten)]
        row: OfferRow,
    }
    let rows: Vec<WithWs> = c
        .fetch_all(
            format!(
                "SELECT workspace_id, {COLUMNS} FROM offers WHERE status = 'open' AND expires_at > $1 \
                 AND expires_at <= $2 ORDER BY id"
            ),
            args![from, until],
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.workspace_id, r.row)).collect())
}
