//! Writes and the index directory: upsert replaces, delete removes, reopening keeps documents and the
//! checkpoint, and damaged or outdated directories are wiped and reported for rebuild.

use std::fs;

use rapport_search::{CreatorDoc, RebuildReason, SCHEMA_VERSION, SearchError, SearchIndex, SearchQuery};
use uuid::Uuid;

use crate::fixtures::doc;

fn find(index: &SearchIndex, ws: Uuid, text: &str) -> Vec<Uuid> {
    index.search(&SearchQuery { text: Some(text.into()), ..SearchQuery::for_workspace(ws) }).unwrap().ids
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let mut d = doc(ws, "Old Name");
    index.upsert(std::slice::from_ref(&d)).unwrap();
    assert_eq!(find(&index, ws, "old"), [d.id]);

    d.display_name = "New Name".into();
    index.upsert(std::slice::from_ref(&d)).unwrap();
    assert!(find(&index, ws, "old").is_empty());
    assert_eq!(find(&index, ws, "new"), [d.id]);
    assert_eq!(index.doc_count(), 1);

    // Within one batch the later version wins.
    let mut later = d.clone();
    later.display_name = "Newest Name".into();
    index.upsert(&[d.clone(), later]).unwrap();
    assert_eq!(find(&index, ws, "newest"), [d.id]);
    assert_eq!(index.doc_count(), 1);

    // Soft-deleted creators are found only when asking for deleted ones.
    let mut gone = d.clone();
    gone.deleted = true;
    index.upsert(&[gone]).unwrap();
    assert!(find(&index, ws, "name").is_empty());
    let q = SearchQuery { deleted: true, ..SearchQuery::for_workspace(ws) };
    assert_eq!(index.search(&q).unwrap().ids, [d.id]);

    index.delete(&[d.id]).unwrap();
    assert_eq!(index.doc_count(), 0);
    assert_eq!(index.search(&q).unwrap().total, 0);
}

#[test]
fn fit_scores_are_the_latest_documents_ones() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let (mut scored, unscored, gone) = (doc(ws, "Scored"), doc(ws, "Unscored"), doc(ws, "Gone"));
    scored.fit_score = Some(40);
    let gone = CreatorDoc { fit_score: Some(90), ..gone };
    index.upsert(&[scored.clone(), unscored.clone(), gone.clone()]).unwrap();
    scored.fit_score = Some(73);
    index.upsert(std::slice::from_ref(&scored)).unwrap();
    index.delete(&[gone.id]).unwrap();
    let never = Uuid::now_v7();
    let mut elsewhere = doc(Uuid::now_v7(), "Another workspace's");
    elsewhere.fit_score = Some(60);
    let mut hidden = doc(ws, "Do not contact");
    (hidden.fit_score, hidden.do_not_contact) = (Some(12), true);
    index.upsert(&[elsewhere.clone(), hidden.clone()]).unwrap();
    let mut scores: Vec<_> = index
        .fit_scores(ws, &[scored.id, unscored.id, gone.id, never, elsewhere.id, hidden.id])
        .unwrap()
        .into_iter()
        .collect();
    scores.sort();
    let mut want = vec![(scored.id, 73), (hidden.id, 12)];
    want.sort();
    assert_eq!(scores, want, "the replaced one's newest score, none of another workspace");
}

#[test]
fn reopening_keeps_documents_and_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Uuid::now_v7();
    let d = doc(ws, "Persistent Pat");
    {
        let opened = SearchIndex::open(dir.path()).unwrap();
        assert!(opened.rebuild_needed);
        assert_eq!(opened.reason, Some(RebuildReason::Created));
        let index = opened.index;
        assert_eq!(index.checkpoint(), None);
        index.upsert(std::slice::from_ref(&d)).unwrap();
        index.set_checkpoint_and_commit(41).unwrap();
        index.set_checkpoint_and_commit(42).unwrap();
        // Later commits carry the checkpoint along.
        index.upsert(&[doc(ws, "Another")]).unwrap();
        assert_eq!(index.checkpoint(), Some(42));
        // A batch and its checkpoint in one commit.
        let gone = doc(ws, "Gone");
        index.upsert(std::slice::from_ref(&gone)).unwrap();
        index.apply(&[doc(ws, "Third")], &[gone.id], Some(43)).unwrap();
        assert_eq!(index.checkpoint(), Some(43));
        // Nothing to do is no commit and no change.
        index.apply(&[], &[], None).unwrap();
        assert_eq!(index.checkpoint(), Some(43));
    }
    let opened = SearchIndex::open(dir.path()).unwrap();
    assert!(!opened.rebuild_needed);
    assert_eq!(opened.reason, None);
    assert_eq!(opened.index.checkpoint(), Some(43));
    assert_eq!(opened.index.doc_count(), 3);
    assert_eq!(find(&opened.index, ws, "pat"), [d.id]);
}

#[test]
fn a_second_writer_is_refused_without_wiping() {
    let dir = tempfile::tempdir().unwrap();
    let first = SearchIndex::open(dir.path()).unwrap().index;
    let ws = Uuid::now_v7();
    first.upsert(&[doc(ws, "Kept")]).unwrap();
    match SearchIndex::open(dir.path()) {
        Err(SearchError::Locked(_)) => {}
        other => panic!("expected Locked, got {:?}", other.map(|o| o.rebuild_needed)),
    }
    assert_eq!(first.doc_count(), 1);
    drop(first);
    let reopened = SearchIndex::open(dir.path()).unwrap();
    assert!(!reopened.rebuild_needed);
    assert_eq!(reopened.index.doc_count(), 1);
}

#[test]
fn corrupt_meta_is_wiped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap().index;
        index.upsert(&[doc(Uuid::now_v7(), "Doomed")]).unwrap();
        index.set_checkpoint_and_commit(7).unwrap();
    }
    fs::write(dir.path().join("meta.json"), b"{ this is not json").unwrap();
    let opened = SearchIndex::open(dir.path()).unwrap();
    assert!(opened.rebuild_needed);
    assert!(matches!(opened.reason, Some(RebuildReason::Unreadable(_))), "{:?}", opened.reason);
    assert_eq!(opened.index.doc_count(), 0);
    assert_eq!(opened.index.checkpoint(), None);
    // The fresh index works and persists.
    opened.index.upsert(&[doc(Uuid::now_v7(), "Reborn")]).unwrap();
    drop(opened);
    let again = SearchIndex::open(dir.path()).unwrap();
    assert!(!again.rebuild_needed);
    assert_eq!(again.index.doc_count(), 1);
}

#[test]
fn damaged_segment_file_is_wiped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap().index;
        index.upsert(&[doc(Uuid::now_v7(), "Doomed")]).unwrap();
    }
    let segment_file = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .expect("a segment file");
    let mut bytes = fs::read(&segment_file).unwrap();
    for b in bytes.iter_mut().take(64) {
        *b ^= 0xff;
    }
    fs::write(&segment_file, bytes).unwrap();
    let opened = SearchIndex::open(dir.path()).unwrap();
    assert!(opened.rebuild_needed);
    assert!(matches!(opened.reason, Some(RebuildReason::Unreadable(_))), "{:?}", opened.reason);
    assert_eq!(opened.index.doc_count(), 0);
}

#[test]
fn another_schema_version_is_wiped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap().index;
        index.upsert(&[doc(Uuid::now_v7(), "Outdated")]).unwrap();
    }
    let version_file = dir.path().join("rapport-search.version");
    assert_eq!(fs::read_to_string(&version_file).unwrap().trim(), SCHEMA_VERSION.to_string());
    fs::write(&version_file, format!("{}\n", SCHEMA_VERSION - 1)).unwrap();
    let opened = SearchIndex::open(dir.path()).unwrap();
    assert!(opened.rebuild_needed);
    assert_eq!(opened.reason, Some(RebuildReason::SchemaVersion { found: Some(SCHEMA_VERSION - 1) }));
    assert_eq!(opened.index.doc_count(), 0);
    drop(opened);

    // A missing version file counts as another version too.
    fs::remove_file(&version_file).unwrap();
    let opened = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(opened.reason, Some(RebuildReason::SchemaVersion { found: None }));
    drop(opened);
    assert!(!SearchIndex::open(dir.path()).unwrap().rebuild_needed);
}

#[test]
fn a_directory_that_is_not_an_index_is_not_wiped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
    let opened = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(opened.reason, Some(RebuildReason::Created));
    assert_eq!(fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "keep me");
}
