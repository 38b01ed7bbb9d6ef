//! What the database already holds about the keys of a set of rows — which creators hold
//! their emails, phones and handles, the creators their ids name, and the complete state
//! of every creator they match — loaded with a few statements for a whole batch, so that
//! planning a row reads memory instead of making a round trip per lookup.
//!
//! A creator whose last import was this very row, with no write to it since, is not read
//! at all: the row would change nothing (see [`fingerprint`] and
//! `rapport_store::import_fingerprints`).

use rapport_core::import::{ImportRow, MatchKey, Mode};
use rapport_core::pipeline::Stages;
use rapport_store::creators::Holder;
use rapport_store::imports::CreatorSnapshot;
use rapport_store::{Conn, accounts, creators, import_fingerprints, snapshots};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;
use uuid::Uuid;

use super::plan::Rules;
use crate::error::AppResult;

/// A key a row claims: a contact point (`email`, `phone`, … and its normalised value), an
/// account (platform slug and normalised handle), or a creator id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Contact(String, String),
    Handle(String, String),
    Id(Uuid),
}

/// The keys of a row.
pub(crate) fn keys(row: &ImportRow) -> Vec<Key> {
    let mut out: Vec<Key> = row.contacts.iter().map(|c| Key::Contact(c.kind.clone(), c.normalized.clone())).collect();
    out.extend(row.accounts.iter().map(|a| Key::Handle(a.platform.slug().to_owned(), a.handle.normalized.clone())));
    out.extend(row.id.map(|id| Key::Id(id.0)));
    out
}

/// What identifies a row's effect on a creator: its values as parsed (the mapping, the
/// human numbers and handles already resolved) and the workspace's stages, which a Stage
/// cell is resolved against. The time metrics were observed is left out: a row whose
/// figures equal the stored ones does not touch them, whatever its date.
pub(crate) fn fingerprint(stages: &Stages, row: &ImportRow) -> String {
    let mut row = row.clone();
    for a in &mut row.accounts {
        a.observed_at = OffsetDateTime::UNIX_EPOCH;
    }
    let digest = Sha256::new().chain_update(format!("rapport import row v1\n{stages:?}\n{row:?}")).finalize();
    hex::encode(&digest[..16])
}

/// The stored facts about a set of rows' keys.
#[derive(Debug, Default)]
pub(crate) struct Known {
    holders: HashMap<Key, Holder>,
    /// The account holding each handle key.
    accounts: HashMap<Key, Uuid>,
    snapshots: HashMap<Uuid, CreatorSnapshot>,
    /// The fingerprint of the row each matched creator was last imported from, when
    /// nothing has written to the creator since.
    fingerprints: HashMap<Uuid, String>,
    /// The names of the matched creators.
    names: HashMap<Uuid, String>,
}

impl Known {
    /// Loads who holds the keys of `rows` and, when rows are matched to creators (update
    /// and upsert modes), those creators' current state (without histories: a row that
    /// updates one has its full snapshot read when it is written) — except for creators
    /// that only rows they were last imported from match.
    pub(crate) async fn load(c: &mut Conn<'_>, rules: Rules<'_>, rows: &[&ImportRow]) -> AppResult<Known> {
        let mut known = Known::default();
        known.reload(c, rules, rows, &HashSet::new()).await?;
        Ok(known)
    }

    /// Loads what `rows` need into what is known, after a run of rows was written: what
    /// was known about their keys and about the `written` creators is dropped first. Rows
    /// that depend on nothing a run wrote keep what was loaded for them.
    pub(crate) async fn reload(
        &mut self,
        c: &mut Conn<'_>,
        rules: Rules<'_>,
        rows: &[&ImportRow],
        written: &HashSet<Uuid>,
    ) -> AppResult<()> {
        let Rules { ws, mode, key, stages } = rules;
        for id in written {
            self.snapshots.remove(id);
            self.fingerprints.remove(id);
        }
        let (mut contacts, mut handles, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for k in rows.iter().flat_map(|r| keys(r)) {
            self.holders.remove(&k);
            self.accounts.remove(&k);
            match k {
                Key::Contact(kind, value) => contacts.push((kind, value)),
                Key::Handle(platform, handle) => handles.push((platform, handle)),
                Key::Id(id) => ids.push(id),
            }
        }
        let mut found: Vec<Holder> = Vec::new();
        for h in creators::holders_of_contacts(c, ws, &contacts).await? {
            let holder = Holder { id: h.id, display_name: h.display_name, deleted_at: h.deleted_at };
            found.push(holder.clone());
            self.holders.insert(Key::Contact(h.kind, h.normalized), holder);
        }
        for h in accounts::holders_of_handles(c, ws, &handles).await? {
            let k = Key::Handle(h.platform, h.handle_normalized);
            let holder = Holder { id: h.id, display_name: h.display_name, deleted_at: h.deleted_at };
            found.push(holder.clone());
            self.accounts.insert(k.clone(), h.account_id);
            self.holders.insert(k, holder);
        }
        if key == MatchKey::Id && mode != Mode::Create {
            for r in creators::get_many(c, ws, &ids).await? {
                let holder = Holder { id: r.id, display_name: r.display_name, deleted_at: r.deleted_at };
                found.push(holder.clone());
                self.holders.insert(Key::Id(r.id), holder);
            }
        }
        if mode == Mode::Create {
            return Ok(());
        }
        let mut matched: Vec<Uuid> = found.iter().filter(|h| h.deleted_at.is_none()).map(|h| h.id).collect();
        matched.sort_unstable();
        matched.dedup();
        self.names.extend(found.into_iter().map(|h| (h.id, h.display_name)));
        self.fingerprints.extend(import_fingerprints::current(c, ws, &matched).await?);
        // A creator is read when some row holding one of its keys is not the row it was
        // last imported from.
        let mut wanted: HashSet<Uuid> = HashSet::new();
        for row in rows {
            let held: Vec<Uuid> = self.dependencies(row).collect();
            if held.iter().any(|id| !self.fingerprints.contains_key(id)) {
                wanted.extend(held);
            } else if !held.is_empty() {
                let fp = fingerprint(stages, row);
                if !held.iter().all(|id| self.has_fingerprint(*id, &fp)) {
                    wanted.extend(held);
                }
            }
        }
        let wanted: Vec<Uuid> = matched.into_iter().filter(|id| wanted.contains(id)).collect();
        self.snapshots.extend(snapshots::load_current(c, ws, &wanted).await?);
        Ok(())
    }

    /// Whether the creator `id` is as `row` left it when it was last imported: the row
    /// would change nothing.
    pub(crate) fn imported_from(&self, id: Uuid, stages: &Stages, row: &ImportRow) -> bool {
        self.fingerprints.get(&id).is_some_and(|stored| *stored == fingerprint(stages, row))
    }

    /// Whether a creator's fingerprint as stored is `fp` (then there is nothing to store).
    pub(crate) fn has_fingerprint(&self, id: Uuid, fp: &str) -> bool {
        self.fingerprints.get(&id).is_some_and(|stored| stored == fp)
    }

    /// The name of a creator a row matched.
    pub(crate) fn name(&self, id: Uuid) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// The creator holding a key.
    pub(crate) fn holder(&self, k: &Key) -> Option<&Holder> {
        self.holders.get(k)
    }

    /// The creator holding a handle, with the account.
    pub(crate) fn account(&self, platform: &str, handle: &str) -> Option<(Uuid, &Holder)> {
        let k = Key::Handle(platform.to_owned(), handle.to_owned());
        Some((*self.accounts.get(&k)?, self.holders.get(&k)?))
    }

    /// The current state of a creator a row matched.
    pub(crate) fn snapshot(&self, id: Uuid) -> Option<&CreatorSnapshot> {
        self.snapshots.get(&id)
    }

    /// The creators a row's plan may depend on: those holding any of its keys.
    pub(crate) fn dependencies<'a>(&'a self, row: &ImportRow) -> impl Iterator<Item = Uuid> + 'a {
        keys(row).into_iter().filter_map(|k| self.holders.get(&k).map(|h| h.id))
    }
}
