//! `search` against the brute-force model over random documents and many random queries, across index
//! states built by batches of upserts, replacements, deletions and a rebuild.

use std::collections::{HashMap, HashSet};

use rand::Rng;
use rand::seq::IndexedRandom;
use rapport_search::{CreatorDoc, FollowerPage, SearchIndex, SearchQuery, SearchResult, SearchSort};
use uuid::Uuid;

use crate::fixtures::Gen;
use crate::model;

fn check(index: &SearchIndex, all: &All, q: &SearchQuery, n: usize) {
    match index.search(q) {
        Ok(got) => check_result(&got, all, q, n),
        Err(e) => panic!("query {n} failed: {e}\n{q:#?}"),
    }
}

/// `got` against the model's answer to `q`.
fn check_result(got: &SearchResult, all: &All, q: &SearchQuery, n: usize) {
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

fn check_many(index: &SearchIndex, all: &All, g: &mut Gen, queries: usize) {
    assert_eq!(index.doc_count(), all.len() as u64);
    for n in 0..queries {
        let mut q = g.query();
        // Sometimes within a hand-picked set (every third creator, one unknown; sometimes none).
        if n % 7 == 3 {
            let mut ids: Vec<Uuid> = all.keys().copied().collect();
            ids.sort_unstable();
            let mut ids: Vec<Uuid> = if n % 49 == 3 { vec![] } else { ids.into_iter().step_by(3).collect() };
            ids.extend((n % 2 == 0).then(Uuid::now_v7));
            q.ids = Some(ids);
        }
        check(index, all, &q, n);
        // Without the count, a page sorted by relevance skips what cannot reach it, and is the same page.
        let uncounted = SearchQuery { uncounted: true, ..q.clone() };
        let (counted, skipped) = (index.search(&q).unwrap(), index.search(&uncounted).unwrap());
        assert_eq!((skipped.ids, skipped.marks), (counted.ids, counted.marks), "query {n} uncounted\n{q:#?}");
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
        // Continuing after each page's last match does too, in every order (relevance included).
        if n % 25 == 0 {
            assert_eq!(pages_after_marks(index, &q, 7), whole_page(index, &q), "paging query {n} after marks");
            assert_eq!(pages_after_marks(index, &uncounted, 7), whole_page(index, &q), "query {n} uncounted");
        }
    }
}

/// Every match of `q`, as one page.
fn whole_page(index: &SearchIndex, q: &SearchQuery) -> Vec<Uuid> {
    index.search(&SearchQuery { offset: 0, after: None, limit: 10_000, ..q.clone() }).unwrap().ids
}

/// Every match of `q`, page by page of `size`, each page starting after the previous page's last mark.
fn pages_after_marks(index: &SearchIndex, q: &SearchQuery, size: usize) -> Vec<Uuid> {
    let (mut all, mut after) = (Vec::new(), None);
    loop {
        let page = index.search(&SearchQuery { offset: 0, after, limit: size, ..q.clone() }).unwrap();
        assert_eq!(page.ids.len(), page.marks.len());
        all.extend(page.ids.iter().copied());
        match page.marks.last() {
            Some(mark) if page.ids.len() == size => after = Some(*mark),
            _ => return all,
        }
    }
}

/// A page that starts after a match, not at a position, neither skips nor repeats creators when the ones
/// before it change in between — in the collector's and the projections' roads.
#[test]
fn a_page_after_a_mark_neither_skips_nor_repeats_when_earlier_creators_change() {
    for facets in [rapport_search::FacetSet::NONE, rapport_search::FacetSet::ALL] {
        let mut g = Gen::one_workspace(0x9a6e_2026);
        let index = SearchIndex::in_memory().unwrap();
        let mut docs: Vec<CreatorDoc> = (0..40).map(|_| g.doc()).collect();
        for (i, d) in docs.iter_mut().enumerate() {
            d.max_followers = 1_000 * (i as i64 + 1);
            (d.deleted, d.do_not_contact) = (false, false);
        }
        index.upsert(&docs).unwrap();
        let q = SearchQuery {
            sort: SearchSort::Followers { desc: true },
            limit: 10,
            facets,
            ..SearchQuery::for_workspace(docs[0].workspace_id)
        };
        let first = index.search(&q).unwrap();
        // The first creator of the page drops to the bottom; another one is added at the top.
        let mut moved = docs.iter().find(|d| d.id == first.ids[0]).unwrap().clone();
        moved.max_followers = 1;
        let mut added = g.doc();
        (added.workspace_id, added.max_followers, added.deleted, added.do_not_contact) =
            (moved.workspace_id, 1_000_000, false, false);
        index.upsert(&[moved, added]).unwrap();
        let second = index.search(&SearchQuery { after: first.marks.last().copied(), ..q.clone() }).unwrap();
        let now = whole_page(&index, &q);
        let at = now.iter().position(|id| Some(id) == first.ids.last()).unwrap();
        assert_eq!(second.ids, now[at + 1..at + 11].to_vec(), "the ten after the first page's last ({facets:?})");
        assert!(second.ids.iter().all(|id| !first.ids.contains(id)), "no repeats");
    }
}

type All = HashMap<Uuid, CreatorDoc>;

/// Adds `commits` commits (each a segment) of `size` new documents.
fn add_segments(index: &SearchIndex, all: &mut All, g: &mut Gen, commits: usize, size: usize) {
    for _ in 0..commits {
        let batch: Vec<CreatorDoc> = (0..size).map(|_| g.doc()).collect();
        index.upsert(&batch).unwrap();
        all.extend(batch.into_iter().map(|d| (d.id, d)));
    }
}

/// Replaces `n` documents with new content under the same ids, in one commit.
fn replace_some(index: &SearchIndex, all: &mut All, g: &mut Gen, n: usize) {
    let ids: Vec<Uuid> = all.keys().copied().collect();
    let mut changed = Vec::new();
    for id in ids.choose_multiple(&mut g.rng, n).copied().collect::<Vec<_>>() {
        let mut d = g.doc();
        d.id = id;
        changed.push(d);
    }
    index.upsert(&changed).unwrap();
    all.extend(changed.into_iter().map(|d| (d.id, d)));
}

/// Deletes `n` documents, and an id the index never had (which is fine).
fn delete_some(index: &SearchIndex, all: &mut All, g: &mut Gen, n: usize) {
    let ids: Vec<Uuid> = all.keys().copied().collect();
    let gone: Vec<Uuid> = ids.choose_multiple(&mut g.rng, n).copied().collect();
    let mut to_delete = gone.clone();
    to_delete.push(Uuid::from_u128(g.rng.random()));
    index.delete(&to_delete).unwrap();
    for id in &gone {
        all.remove(id);
    }
}

/// Builds an index through the states every search must survive — several segments, then replacements (same
/// id, maybe another workspace) and deletions, then a rebuild that replaces everything — and runs `checks`
/// (`queries` random queries) in each.
fn through_index_states(seed: u64, queries: usize, checks: fn(&SearchIndex, &All, &mut Gen, usize)) {
    let mut g = Gen::new(seed);
    let index = SearchIndex::in_memory().unwrap();
    let mut all = All::new();
    // Several commits make several segments.
    add_segments(&index, &mut all, &mut g, 6, 120);
    checks(&index, &all, &mut g, queries);

    // Deletions are read from the segments' alive sets; replacements land in a new segment.
    replace_some(&index, &mut all, &mut g, 150);
    delete_some(&index, &mut all, &mut g, 80);
    checks(&index, &all, &mut g, queries);

    let fresh: Vec<CreatorDoc> = (0..500).map(|_| g.doc()).collect();
    assert_eq!(index.rebuild(fresh.clone().into_iter()).unwrap(), 500);
    let all: All = fresh.into_iter().map(|d| (d.id, d)).collect();
    checks(&index, &all, &mut g, queries);
}

#[test]
fn search_equals_brute_force() {
    through_index_states(0x5eed_2026, 600, check_many);
}

/// In an index of one workspace whose creators are all live and contactable, the usual scope holds every
/// document of every segment (and is then left out of the intersection). Creators flagged later, and
/// deletions, leave some segments with documents outside it.
#[test]
fn search_equals_brute_force_when_the_scope_covers_whole_segments() {
    let mut g = Gen::one_workspace(0x0a11_2026);
    let index = SearchIndex::in_memory().unwrap();
    let mut all = All::new();
    add_segments(&index, &mut all, &mut g, 4, 150);
    check_many(&index, &all, &mut g, 400);

    // Deleted documents stay in their segment's posting lists until a merge.
    delete_some(&index, &mut all, &mut g, 60);
    check_many(&index, &all, &mut g, 400);

    // Some creators become do-not-contact or deleted: their new segment holds scopes the usual query lacks.
    g.flag_chance = 0.5;
    replace_some(&index, &mut all, &mut g, 50);
    check_many(&index, &all, &mut g, 400);
}

/// Runs `queries` filter-only searches from the follower-ordered projections and checks each against the
/// model, and `search`'s answer too (which takes the projections only when the query's scope is large).
fn check_projected(index: &SearchIndex, all: &All, g: &mut Gen, queries: usize) {
    for n in 0..queries {
        let q = g.filters_query();
        let projected = index.search_projected(&q).unwrap_or_else(|| panic!("query {n} not projected\n{q:#?}"));
        check_result(&projected, all, &q, n);
        check(index, all, &q, n);
    }
}

#[test]
fn filter_searches_equal_brute_force() {
    through_index_states(0xc0de_2026, 500, check_projected);
}

/// An index of one segment of 50 random documents, and its generator.
fn one_segment(seed: u64) -> (Gen, SearchIndex) {
    let mut g = Gen::new(seed);
    let index = SearchIndex::in_memory().unwrap();
    add_segments(&index, &mut All::new(), &mut g, 1, 50);
    (g, index)
}

#[test]
fn only_filter_searches_take_the_projections() {
    let (g, index) = one_segment(7);
    let count =
        SearchQuery { platforms: vec!["tiktok".into()], limit: 0, ..SearchQuery::for_workspace(g.workspaces[0]) };
    let page = SearchQuery { limit: 20, sort: SearchSort::Followers { desc: true }, ..count.clone() };
    assert!(index.search_projected(&count).is_some());
    assert!(index.search_projected(&page).is_some());
    for other in [
        SearchQuery { sort: SearchSort::Fit { desc: true }, ..page.clone() },
        SearchQuery { text: Some("anna".into()), ..count.clone() },
        SearchQuery { niches: vec!["travel".into()], ..count.clone() },
        SearchQuery { has_email: Some(true), ..count.clone() },
        SearchQuery { facets: rapport_search::FacetSet::ALL, ..count.clone() },
    ] {
        assert_eq!(index.search_projected(&other), None, "{other:#?}");
    }
}

/// The model's matches of `q` in follower order, ties by id in the same direction (the database's order), and
/// those without a known following last in both directions.
fn by_followers_then_id(all: &All, q: &SearchQuery, desc: bool) -> Vec<Uuid> {
    let mut matching: Vec<&CreatorDoc> = all.values().filter(|d| model::matches(d, q)).collect();
    matching.sort_by_key(|d| (d.max_followers, d.id));
    if desc {
        matching.reverse();
    }
    let (known, unknown): (Vec<&CreatorDoc>, Vec<&CreatorDoc>) =
        matching.into_iter().partition(|d| model::known(d.max_followers).is_some());
    known.into_iter().chain(unknown).map(|d| d.id).collect()
}

/// Pages of filter-only searches by followers, each resuming after the previous page's last creator as the
/// database's pages do, together list exactly the model's matches in its order; a page at an offset is the
/// model's slice there.
fn check_pages_by_followers(index: &SearchIndex, all: &All, g: &mut Gen, queries: usize) {
    for n in 0..queries {
        let desc = g.rng.random_bool(0.5);
        let limit = g.rng.random_range(1..=25);
        let q = SearchQuery { sort: SearchSort::Followers { desc }, offset: 0, limit, ..g.filters_query() };
        let expected = by_followers_then_id(all, &q, desc);
        let mut walked: Vec<Uuid> = Vec::new();
        let mut after = None;
        loop {
            let page = index
                .page_by_followers_projected(&q, after)
                .unwrap_or_else(|| panic!("query {n} not projected\n{q:#?}"));
            // Outside the tests the projections answer only a scope that is a large part of the index.
            match index.page_by_followers(&q, after, false) {
                FollowerPage::Found(same) => assert_eq!(same, page, "query {n}"),
                other => assert_eq!(other, FollowerPage::Unanswerable, "query {n}: the walk above built them"),
            }
            assert!(page.len() <= limit, "page size of query {n}");
            walked.extend(&page);
            assert!(walked.len() <= expected.len(), "query {n} walked past its matches\n{q:#?}");
            match page.last() {
                Some(last) if page.len() == limit => after = Some((all[last].max_followers, *last)),
                _ => break,
            }
        }
        assert_eq!(walked, expected, "pages of query {n}\n{q:#?}");
        let offset = g.rng.random_range(0..=expected.len());
        let at = SearchQuery { offset, ..q.clone() };
        let slice: Vec<Uuid> = expected.iter().copied().skip(offset).take(limit).collect();
        assert_eq!(index.page_by_followers_projected(&at, None), Some(slice), "query {n} at offset {offset}\n{q:#?}");
    }
}

#[test]
fn pages_by_followers_equal_brute_force() {
    through_index_states(0xf011_2026, 300, check_pages_by_followers);
}

#[test]
fn only_filter_searches_by_followers_are_paged_from_the_projections() {
    let (g, index) = one_segment(11);
    let page = SearchQuery {
        platforms: vec!["tiktok".into()],
        sort: SearchSort::Followers { desc: true },
        ..SearchQuery::for_workspace(g.workspaces[0])
    };
    // Before the first search the projections are still to be built; a search that may build them finds
    // the page, and then one that may not finds it too.
    assert_eq!(index.page_by_followers(&page, None, false), FollowerPage::NotBuilt);
    let FollowerPage::Found(ids) = index.page_by_followers(&page, None, true) else { panic!("not paged") };
    assert_eq!(index.page_by_followers(&page, None, false), FollowerPage::Found(ids));
    for other in [
        SearchQuery { sort: SearchSort::Engagement { desc: true }, ..page.clone() },
        SearchQuery { sort: SearchSort::Updated { desc: false }, ..page.clone() },
        SearchQuery { text: Some("anna".into()), ..page.clone() },
        SearchQuery { tags: vec!["vegan".into()], ..page.clone() },
        SearchQuery { owner: Some(rapport_search::OwnerFilter::Unowned), ..page.clone() },
    ] {
        assert_eq!(index.page_by_followers_projected(&other, None), None, "{other:#?}");
    }
}
