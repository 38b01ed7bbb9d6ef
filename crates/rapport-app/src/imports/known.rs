//! What the database already holds about the keys of a set of rows — which creators hold
//! their emails, phones and handles, the creators their ids name, and the complete state
//! of every creator they match — loaded with a few statements for a whole batch, so that
//! planning a row reads memory instead of making a round trip per lookup.

use rapport_core::import::{ImportRow, MatchKey, Mode};
use rapport_store::creators::Holder;
use rapport_store::imports::CreatorSnapshot;
use rapport_store::{Conn, accounts, creators, snapshots};
use std::collections::HashMap;
use uuid::Uuid;

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

/// The stored facts about a set of rows' keys.
#[derive(Debug, Default)]
pub(crate) struct Known {
    holders: HashMap<Key, Holder>,
    /// The account holding each handle key.
    accounts: HashMap<Key, Uuid>,
    snapshots: HashMap<Uuid, CreatorSnapshot>,
}

impl Known {
    /// Loads who holds the keys of `rows` and, when rows are matched to creators (update
    /// and upsert modes), those creators' current state (without histories: a row that
    /// updates one has its full snapshot read when it is written).
    pub(crate) async fn load(
        c: &mut Conn<'_>,
        ws: Uuid,
        mode: Mode,
        key: MatchKey,
        rows: &[&ImportRow],
    ) -> AppResult<Known> {
        let mut known = Known::default();
        let (mut contacts, mut handles, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for k in rows.iter().flat_map(|r| keys(r)) {
            match k {
                Key::Contact(kind, value) => contacts.push((kind, value)),
                Key::Handle(platform, handle) => handles.push((platform, handle)),
                Key::Id(id) => ids.push(id),
            }
        }
        for h in creators::holders_of_contacts(c, ws, &contacts).await? {
            let holder = Holder { id: h.id, display_name: h.display_name, deleted_at: h.deleted_at };
            known.holders.insert(Key::Contact(h.kind, h.normalized), holder);
        }
        for h in accounts::holders_of_handles(c, ws, &handles).await? {
            let k = Key::Handle(h.platform, h.handle_normalized);
            known.accounts.insert(k.clone(), h.account_id);
            known.holders.insert(k, Holder { id: h.id, display_name: h.display_name, deleted_at: h.deleted_at });
        }
        if key == MatchKey::Id && mode != Mode::Create {
            for r in creators::get_many(c, ws, &ids).await? {
                known
                    .holders
                    .insert(Key::Id(r.id), Holder { id: r.id, display_name: r.display_name, deleted_at: r.deleted_at });
            }
        }
        if mode != Mode::Create {
            let mut matched: Vec<Uuid> =
                known.holders.values().filter(|h| h.deleted_at.is_none()).map(|h| h.id).collect();
            matched.sort_unstable();
            matched.dedup();
            known.snapshots = snapshots::load_current(c, ws, &matched).await?;
        }
        Ok(known)
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
