//! `search` against the brute-force model over random documents and many random queries, across index
//! states built by batches of upserts, replacements, deletions and a rebuild.

use std::collections::{HashMap, HashSet};

use rand::Rng;
use rand::seq::IndexedRandom;
use rapport_search::{CreatorDoc, SearchIndex, SearchQuery};
use uuid::Uuid;

use crate::fixtures::Gen;
use crate::model;

fn check(index: &SearchIndex, all: &HashMap<Uuid, CreatorDoc>, q: &SearchQuery, n: usize) {
    let got = match index.search(q) {
        Ok(r) => r,
        Err(e) => panic!("query {n} failed: {e}\n{q:#?}"),
    };
    let matching: Vec<&CreatorDoc> = all.values().filter(|d| model::matches(d, q)).collect();
    let expected = model::sorted(&matching, q);
    assert_eq!(got.total, expected.len(), "total of query {n}\n{q:#?}");
    let page: Vec<Uuid> = expected.iter().copied().skip(q.offset).take(q.limit).collect();
    assert_eq!(got.ids.len(), page.len(), "page size of query {n}\n{q:#?}");
    for id in &got.ids {
        assert_eq!(all[id].workspace_id, q.workspace_id, "query {n} leaked another workspace's creator");
    }
    if model::exact_order(q) {
        assert_eq!(got.ids, page, "order of query {n}\n{q:#?}");
    } else {
        let expected_set: HashSet<&Uuid> = expected.iter().collect();
        assert!(got.ids.iter().all(|id| expected_set.contains(id)), "ids of query {n}\n{q:#?}");
        let distinct: HashSet<&Uuid> = got.ids.iter().collect();
        assert_eq!(distinct.len(), got.ids.len(), "duplicate ids in query {n}");
        if q.offset == 0 && q.limit >= expected.len() {
            assert_eq!(distinct, expected_set, "ids of query {n}\n{q:#?}");
        }
    }
    assert_eq!(got.facets, model::facets(&matching, q.facets), "facets of query {n}\n{q:#?}");
}

fn check_many(index: &SearchIndex, all: &HashMap<Uuid, CreatorDoc>, g: &mut Gen, queries: usize) {
    assert_eq!(index.doc_count(), all.len() as u64);
    for n in 0..queries {
        let q = g.query();
        check(index, all, &q, n);
        // Paging through the same query in pieces gives the same sequence as one big page.
        if n % 25 == 0 && model::exact_order(&q) {
            let whole = index.search(&SearchQuery { offset: 0, limit: 10_000, ..q.clone() }).map(|r| r.ids);
            let mut paged = Vec::new();
            for offset in (0..).step_by(7) {
                let ids =
                    index.search(&SearchQuery { offset, limit: 7, ..q.clone() }).map(|r| r.ids).unwrap_or_default();
                if ids.is_empty() {
                    break;
                }
                paged.extend(ids);
            }
            assert_eq!(whole.ok(), Some(paged), "paging query {n}");
        }
    }
}

#[test]
fn search_equals_brute_force() {
    let mut g = Gen::new(0x5eed_2026);
    let index = SearchIndex::in_memory().unwrap();
    let mut all: HashMap<Uuid, CreatorDoc> = HashMap::new();

    // Several commits make several segments.
    for _ in 0..6 {
        let batch: Vec<CreatorDoc> = (0..120).map(|_| g.doc()).collect();
        index.upsert(&batch).unwrap();
        all.extend(batch.into_iter().map(|d| (d.id, d)));
    }
    check_many(&index, &all, &mut g, 600);

    // Replace some documents with changed content (same id, maybe another workspace), delete others.
    let ids: Vec<Uuid> = all.keys().copied().collect();
    let mut changed = Vec::new();
    for id in ids.choose_multiple(&mut g.rng, 150).copied().collect::<Vec<_>>() {
        let mut d = g.doc();
        d.id = id;
        changed.push(d);
    }
    index.upsert(&changed).unwrap();
    all.extend(changed.into_iter().map(|d| (d.id, d)));
    let gone: Vec<Uuid> = ids.choose_multiple(&mut g.rng, 80).copied().collect();
    let mut to_delete = gone.clone();
    to_delete.push(Uuid::from_u128(g.rng.random())); // unknown ids are fine
    index.delete(&to_delete).unwrap();
    for id in &gone {
        all.remove(id);
    }
    check_many(&index, &all, &mut g, 600);

    // A rebuild replaces everything.
    let fresh: Vec<CreatorDoc> = (0..500).map(|_| g.doc()).collect();
    assert_eq!(index.rebuild(fresh.clone().into_iter()).unwrap(), 500);
    let all: HashMap<Uuid, CreatorDoc> = fresh.into_iter().map(|d| (d.id, d)).collect();
    check_many(&index, &all, &mut g, 600);
}

/// In an index of one workspace whose creators are all live and contactable, the usual scope holds every
/// document of every segment (and is then left out of the intersection). Creators flagged later, and
/// deletions, leave some segments with documents outside it.
#[test]
fn search_equals_brute_force_when_the_scope_covers_whole_segments() {
    let mut g = Gen::one_workspace(0x0a11_2026);
    let index = SearchIndex::in_memory().unwrap();
    let mut all: HashMap<Uuid, CreatorDoc> = HashMap::new();
    for _ in 0..4 {
        let batch: Vec<CreatorDoc> = (0..150).map(|_| g.doc()).collect();
        index.upsert(&batch).unwrap();
        all.extend(batch.into_iter().map(|d| (d.id, d)));
    }
    check_many(&index, &all, &mut g, 400);

    // Deleted documents stay in their segment's posting lists until a merge.
    let ids: Vec<Uuid> = all.keys().copied().collect();
    let gone: Vec<Uuid> = ids.choose_multiple(&mut g.rng, 60).copied().collect();
    index.delete(&gone).unwrap();
    for id in &gone {
        all.remove(id);
    }
    check_many(&index, &all, &mut g, 400);

    // Some creators become do-not-contact or deleted: their new segment holds scopes the usual query lacks.
    g.flag_chance = 0.5;
    let ids: Vec<Uuid> = all.keys().copied().collect();
    let mut flagged = Vec::new();
    for id in ids.choose_multiple(&mut g.rng, 50).copied().collect::<Vec<_>>() {
        let mut d = g.doc();
        d.id = id;
        flagged.push(d);
    }
    index.upsert(&flagged).unwrap();
    all.extend(flagged.into_iter().map(|d| (d.id, d)));
    check_many(&index, &all, &mut g, 400);
}
