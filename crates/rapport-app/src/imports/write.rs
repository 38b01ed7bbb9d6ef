//! Writing planned rows: the creators a run of rows creates go in with multi-row
//! statements (creators, tags, contact points, accounts and their first snapshots, stage
//! history, timeline events, the search index's change log), each with its derived
//! columns computed beforehand; updates go through the store's creator and account
//! functions one creator at a time. Every row ends as a record for the job.

use super::plan::{AccountOp, Plan, account_json, creator_json};
use super::reason;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::{pipeline, timeline};
use rapport_core::creators::{AccountDraft, CreatorDraft};
use rapport_core::diff;
use rapport_store::imports::RowRecord;
use rapport_store::{Conn, accounts, creators, stage_changes};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// Writes the plans of rows (`(row number, plan)`, in file order) and returns their
/// records. Plans must not depend on each other: no two touch the same creator or claim
/// the same key (the caller cuts runs of rows where they would).
pub(crate) async fn apply(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    plans: Vec<(i64, Plan)>,
    t: OffsetDateTime,
) -> AppResult<Vec<RowRecord>> {
    let mut records = Vec::with_capacity(plans.len());
    // Plans were made from current states; what an undo puts back is the full snapshot.
    let updated: Vec<Uuid> =
        plans.iter().filter_map(|(_, p)| if let Plan::Update { id, .. } = p { Some(*id) } else { None }).collect();
    let mut full = rapport_store::snapshots::load_snapshots(c, ctx.ws(), &updated).await?;
    let mut creates: Vec<(Uuid, CreatorDraft, Vec<AccountDraft>)> = Vec::new();
    let mut updates = Updates::default();
    for (row_number, plan) in plans {
        let record = |outcome, creator_id, before, error| RowRecord { row_number, outcome, creator_id, before, error };
        match plan {
            Plan::Fail(errors) => records.push(record("failed", None, None, Some(reason(&errors)))),
            Plan::Unchanged { id, .. } => records.push(record("unchanged", Some(id), None, None)),
            Plan::Create { draft, accounts } => {
                let id = Uuid::now_v7();
                creates.push((id, draft, accounts));
                records.push(record("created", Some(id), None, None));
            }
            Plan::Update { id, before, creator, accounts } => {
                let before = full.remove(&id).map(Box::new).unwrap_or(before);
                let stage_before = before.creator.stage.clone();
                let before = serde_json::to_string(&*before).map_err(|e| AppError::Internal(e.to_string()))?;
                updates.add(ctx, id, &stage_before, creator, accounts)?;
                records.push(record("updated", Some(id), Some(before), None));
            }
        }
    }
    create_many(c, ctx, &creates, t).await?;
    updates.write(c, ctx, t).await?;
    Ok(records)
}

/// Creates creators with their accounts, stage history and `creator.created` events.
async fn create_many(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    creates: &[(Uuid, CreatorDraft, Vec<AccountDraft>)],
    t: OffsetDateTime,
) -> AppResult<()> {
    if creates.is_empty() {
        return Ok(());
    }
    let ws = ctx.ws();
    let mut rows = Vec::with_capacity(creates.len());
    let mut new_accounts = Vec::new();
    let mut history = Vec::with_capacity(creates.len());
    let mut events = Vec::with_capacity(creates.len());
    for (id, draft, accounts) in creates {
        let handles: Vec<&str> = accounts.iter().map(|a| a.handle.display.as_str()).collect();
        rows.push(creators::NewCreator {
            id: *id,
            draft,
            search_text: creators::draft_search_text(draft, &handles),
            max_followers: accounts.iter().filter_map(|a| a.followers).max().unwrap_or(0),
        });
        new_accounts.extend(accounts.iter().map(|a| (*id, Uuid::now_v7(), a)));
        history.extend(pipeline::change(ctx, *id, None, &draft.stage, None));
        let mut after = creator_json(draft);
        if !accounts.is_empty()
            && let Some(o) = after.as_object_mut()
        {
            let handles: Vec<String> =
                accounts.iter().map(|a| format!("{}:@{}", a.platform.slug(), a.handle.display)).collect();
            o.insert("social_accounts".into(), handles.into());
        }
        events.push(timeline::event(ctx, *id, "creator.created", diff::changes(&Value::Null, &after))?);
    }
    creators::insert_many(c, ws, &rows, &ctx.actor.to_string(), t).await?;
    accounts::insert_many(c, ws, &new_accounts, t).await?;
    stage_changes::insert_many(c, ws, &history).await?;
    rapport_store::timeline::append_many(c, ws, &events).await?;
    Ok(())
}

/// The updates of a run of rows, gathered to be written together.
#[derive(Default)]
struct Updates {
    creators: Vec<(Uuid, CreatorDraft)>,
    added: Vec<(Uuid, Uuid, AccountDraft)>,
    changed: Vec<(Uuid, AccountDraft, bool)>,
    events: Vec<rapport_store::timeline::EventRow>,
    history: Vec<rapport_store::stage_changes::StageChangeRow>,
    /// Every creator updated, in row order.
    ids: Vec<Uuid>,
}

impl Updates {
    /// One creator's update: its fields (with a timeline event and stage history) and its
    /// accounts (added or changed, each with an event; a snapshot when metrics were
    /// observed).
    fn add(
        &mut self,
        ctx: &Ctx,
        id: Uuid,
        stage_before: &str,
        creator: Option<(CreatorDraft, Vec<diff::Change>)>,
        ops: Vec<AccountOp>,
    ) -> AppResult<()> {
        if let Some((draft, changes)) = creator {
            self.events.push(timeline::event(ctx, id, "creator.updated", changes)?);
            self.history.extend(pipeline::change(ctx, id, Some(stage_before), &draft.stage, None));
            self.creators.push((id, draft));
        }
        for op in ops {
            match op {
                AccountOp::Add(a) => {
                    let changes = diff::changes(&Value::Null, &account_json(&a));
                    self.events.push(timeline::event(ctx, id, "account.added", changes)?);
                    self.added.push((id, Uuid::now_v7(), a));
                }
                AccountOp::Change { id: account, draft, changes, observed } => {
                    self.events.push(timeline::event(ctx, id, "account.updated", changes)?);
                    self.changed.push((account, draft, observed));
                }
            }
        }
        self.ids.push(id);
        Ok(())
    }

    /// Writes the updates: a statement per changed creator row and per changed account,
    /// the rest with multi-row statements; then every updated creator's derived columns
    /// and `updated_at`, and (once) its entry in the change log.
    async fn write(self, c: &mut Conn<'_>, ctx: &Ctx, t: OffsetDateTime) -> AppResult<()> {
        if self.ids.is_empty() {
            return Ok(());
        }
        let ws = ctx.ws();
        let creators: Vec<(Uuid, &CreatorDraft)> = self.creators.iter().map(|(id, d)| (*id, d)).collect();
        creators::update_many(c, ws, &creators, t).await?;
        for (account, draft, _) in &self.changed {
            accounts::update(c, ws, *account, draft, t).await?;
        }
        let observed: Vec<(Uuid, &AccountDraft)> =
            self.changed.iter().filter(|(_, _, observed)| *observed).map(|(id, d, _)| (*id, d)).collect();
        accounts::insert_snapshots(c, ws, &observed, t).await?;
        let added: Vec<(Uuid, Uuid, &AccountDraft)> = self.added.iter().map(|(c, id, a)| (*c, *id, a)).collect();
        accounts::insert_many(c, ws, &added, t).await?;
        stage_changes::insert_many(c, ws, &self.history).await?;
        rapport_store::timeline::append_many(c, ws, &self.events).await?;
        creators::refresh_derived_many(c, ws, &self.ids, Some(t)).await?;
        // `update_many` logged the creators whose row changed; the others changed only accounts.
        let logged: std::collections::HashSet<Uuid> = self.creators.iter().map(|(id, _)| *id).collect();
        let changed: Vec<Vec<rapport_store::Arg>> =
            self.ids.iter().filter(|id| !logged.contains(*id)).map(|id| rapport_store::args![ws, *id, t]).collect();
        rapport_store::changes::record_many(c, changed).await?;
        Ok(())
    }
}
