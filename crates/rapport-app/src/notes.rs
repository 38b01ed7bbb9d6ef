//! Notes on a creator: add, list, delete; each appears on the timeline.

use crate::App;
use crate::context::Ctx;
use crate::creators::require_creator;
use crate::error::{AppError, AppResult};
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::diff::Change;
use rapport_core::ids::{CreatorId, NoteId};
use rapport_core::validation::required_text;
use rapport_store::{creators as creators_store, notes as store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoteView {
    #[schema(value_type = String, example = "nt_0193…")]
    pub id: NoteId,
    pub body: String,
    pub author: String,
    pub author_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub body: Option<String>,
}

fn view(n: store::NoteRow) -> NoteView {
    NoteView {
        id: NoteId(n.id),
        body: n.body,
        author: n.created_by,
        author_label: n.author_label,
        created_at: n.created_at,
    }
}

/// Notes are short enough to show in a timeline: at most 10 000 characters.
pub async fn add(app: &App, ctx: &Ctx, creator: CreatorId, input: NoteInput) -> AppResult<NoteView> {
    ctx.require_write()?;
    let mut e = Invalid::new();
    let body = required_text(&mut e, "body", input.body.as_deref(), 10_000);
    e.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    require_creator(&mut c, ctx, creator, false).await?;
    let t = now();
    let row = store::NoteRow {
        id: NoteId::new().0,
        creator_id: creator.0,
        body: body.clone(),
        created_by: ctx.actor.to_string(),
        author_label: ctx.actor_label.clone(),
        created_at: t,
        updated_at: t,
    };
    store::insert(&mut c, ctx.ws(), &row).await?;
    creators_store::touch(&mut c, ctx.ws(), creator.0, t).await?;
    let change = Change { field: "note".into(), before: Value::Null, after: Value::String(body) };
    timeline::record(&mut c, ctx, creator.0, "note.added", vec![change]).await?;
    tx.commit().await?;
    Ok(view(row))
}

pub async fn list(app: &App, ctx: &Ctx, creator: CreatorId) -> AppResult<Vec<NoteView>> {
    let mut r = app.db.read().await?;
    require_creator(&mut r.conn(), ctx, creator, true).await?;
    let rows = store::list_for(&mut r.conn(), ctx.ws(), creator.0).await?;
    Ok(rows.into_iter().map(view).collect())
}

pub async fn delete(app: &App, ctx: &Ctx, creator: CreatorId, id: NoteId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    require_creator(&mut c, ctx, creator, false).await?;
    let note =
        store::get(&mut c, ctx.ws(), id.0).await?.filter(|n| n.creator_id == creator.0).ok_or(AppError::NotFound)?;
    store::soft_delete(&mut c, ctx.ws(), id.0, now()).await?;
    let change = Change { field: "note".into(), before: Value::String(note.body), after: Value::Null };
    timeline::record(&mut c, ctx, creator.0, "note.deleted", vec![change]).await?;
    tx.commit().await?;
    Ok(())
}
