//! Free text: accent folding, handles with and without "@", AND across words, prefixes, odd input,
//! relevance, and tenant isolation.

use rapport_search::{SearchIndex, SearchQuery, SearchSort};
use uuid::Uuid;

use crate::fixtures::doc;

fn ids(index: &SearchIndex, workspace_id: Uuid, text: &str) -> Vec<Uuid> {
    let q = SearchQuery { text: Some(text.to_string()), limit: 100, ..SearchQuery::for_workspace(workspace_id) };
    index.search(&q).unwrap().ids
}

#[test]
fn accents_fold_both_ways() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let schafer = doc(ws, "Lena Schäfer");
    let mut zoe = doc(ws, "Zoe Martin");
    zoe.bio = Some("Café culture in São Paulo".into());
    index.upsert(&[schafer.clone(), zoe.clone()]).unwrap();

    for q in ["Schafer", "schäfer", "SCHÄFER", "lena schafer"] {
        assert_eq!(ids(&index, ws, q), [schafer.id], "{q}");
    }
    for q in ["cafe", "CAFÉ", "sao paulo", "zoé"] {
        assert_eq!(ids(&index, ws, q), [zoe.id], "{q}");
    }
}

#[test]
fn handles_match_with_and_without_at() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let mut anna = doc(ws, "Anna");
    anna.handles = vec!["@anna_fit".into(), "annacooks".into()];
    let other = doc(ws, "Fitness Fiona");
    index.upsert(&[anna.clone(), other]).unwrap();

    for q in ["@anna_fit", "anna_fit", "annafit", "@annafit", "annacooks", "@annacooks", "anna fit"] {
        assert_eq!(ids(&index, ws, q), [anna.id], "{q}");
    }
}

#[test]
fn all_words_must_match_and_the_last_may_start_a_name() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let mut a = doc(ws, "Mara Bergmann");
    a.bio = Some("Vegan cooking and mountain travel".into());
    a.handles = vec!["@marabakes".into()];
    let mut b = doc(ws, "Tom Bergmann");
    b.bio = Some("Travel vlogs".into());
    index.upsert(&[a.clone(), b.clone()]).unwrap();

    assert_eq!(ids(&index, ws, "vegan travel"), [a.id]);
    let mut both = ids(&index, ws, "bergmann travel");
    both.sort();
    let mut expected = vec![a.id, b.id];
    expected.sort();
    assert_eq!(both, expected);
    assert_eq!(ids(&index, ws, "vegan berg"), [a.id], "the last word starts a name");
    assert_eq!(ids(&index, ws, "Mar"), [a.id], "the last word starts a name");
    assert_eq!(ids(&index, ws, "@marab"), [a.id], "the last word starts a handle");
    assert!(ids(&index, ws, "vegan berg ").is_empty(), "a finished word is not a prefix");
    assert!(ids(&index, ws, "berg travel").is_empty(), "only the last word is a prefix");
    assert!(ids(&index, ws, "vegan cook").is_empty(), "bio words match whole");
    assert!(ids(&index, ws, "ma").is_empty(), "two letters are too short for a prefix");
}

#[test]
fn unknown_words_and_query_syntax_give_no_error() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let mut d = doc(ws, "Robin Hood");
    d.bio = Some("title: AND OR".into());
    index.upsert(std::slice::from_ref(&d)).unwrap();

    assert!(ids(&index, ws, "xyzzyplugh").is_empty());
    assert!(ids(&index, ws, "robin xyzzyplugh").is_empty());
    for odd in ["\"robin", "robin)", "title:(robin", "robin AND", "+robin -hood", "robin*", "robin~2", "[a TO z]"] {
        assert!(index.search(&SearchQuery { text: Some(odd.into()), ..SearchQuery::for_workspace(ws) }).is_ok());
    }
    assert_eq!(ids(&index, ws, "robin AND"), [d.id], "AND is a word here");
    // Text without any word does not filter.
    assert_eq!(ids(&index, ws, " @ -- "), [d.id]);
}

#[test]
fn name_matches_rank_above_bio_matches() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let named = doc(ws, "Marathon Maria");
    let mut mentioned = doc(ws, "Someone Else");
    mentioned.bio = Some("training for a marathon, the marathon of marathons".into());
    index.upsert(&[mentioned.clone(), named.clone()]).unwrap();
    let q =
        SearchQuery { text: Some("marathon".into()), sort: SearchSort::Relevance, ..SearchQuery::for_workspace(ws) };
    assert_eq!(index.search(&q).unwrap().ids, [named.id, mentioned.id]);
}

#[test]
fn workspaces_never_see_each_other() {
    let index = SearchIndex::in_memory().unwrap();
    let (ws_a, ws_b) = (Uuid::now_v7(), Uuid::now_v7());
    let a = doc(ws_a, "Shared Name");
    let b = doc(ws_b, "Shared Name");
    index.upsert(&[a.clone(), b.clone()]).unwrap();
    assert_eq!(ids(&index, ws_a, "shared"), [a.id]);
    assert_eq!(ids(&index, ws_b, "shared name"), [b.id]);
    let all_a = index.search(&SearchQuery::for_workspace(ws_a)).unwrap();
    assert_eq!((all_a.ids, all_a.total), (vec![a.id], 1));
    assert_eq!(index.search(&SearchQuery::for_workspace(Uuid::now_v7())).unwrap().total, 0);
}

/// A relevance-sorted page that needs no count skips the matches that cannot reach it; it is still the page
/// a search that scores and counts every match finds — ties with its last creator (equal scores, ordered by
/// id) included, across segments and past deleted creators.
#[test]
fn an_uncounted_relevance_page_is_the_counted_one() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    for segment in 0..3 {
        let mut docs: Vec<_> = (0..80)
            .map(|i| {
                let mut d = doc(ws, &format!("Creator {segment} {i}"));
                // Most bios alike (equal scores), some with the word repeated (higher ones).
                d.bio = Some(if i % 11 == 0 { "garden garden tips".into() } else { "garden tips".to_owned() });
                d
            })
            .collect();
        // Newest ids first: a tie met later in the segment has the lower id, and wins.
        docs.reverse();
        index.upsert(&docs).unwrap();
        index.delete(&docs.iter().step_by(7).map(|d| d.id).collect::<Vec<_>>()).unwrap();
    }
    for limit in [1, 5, 20, 100] {
        let q = SearchQuery {
            text: Some("garden".into()),
            sort: SearchSort::Relevance,
            limit,
            ..SearchQuery::for_workspace(ws)
        };
        let counted = index.search(&q).unwrap();
        let uncounted = index.search(&SearchQuery { uncounted: true, ..q.clone() }).unwrap();
        assert_eq!(counted.total, 3 * 80 - 3 * 12, "every live match counted");
        assert_eq!(counted.ids.len(), limit);
        assert_eq!((uncounted.ids, uncounted.marks), (counted.ids, counted.marks), "limit {limit}");
    }
}

/// Pages of a relevance-sorted search continue after the previous page's last score. Every write changes the
/// collection statistics every score depends on; later pages score with the first page's statistics, so a
/// write between pages neither skips nor repeats a creator.
#[test]
fn relevance_pages_neither_skip_nor_repeat_when_the_index_changes_between_them() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let words = ["home", "garden", "kitchen", "travel", "food", "style"];
    let docs: Vec<_> = (0..60)
        .map(|i| {
            let mut d = doc(ws, &format!("Creator {i}"));
            // Varied lengths and repeats give every creator its own score.
            let filler: Vec<&str> = (0..(i % 9)).map(|k| words[(i + k) % words.len()]).collect();
            d.bio = Some(format!("home {} {}", "home ".repeat(i % 4), filler.join(" ")));
            d
        })
        .collect();
    index.upsert(&docs).unwrap();
    let q = SearchQuery {
        text: Some("home garden".into()),
        sort: SearchSort::Relevance,
        limit: 7,
        ..SearchQuery::for_workspace(ws)
    };
    let matching = index.search(&SearchQuery { limit: 1000, ..q.clone() }).unwrap().ids;
    assert!(matching.len() > 20, "{}", matching.len());

    let mut seen = Vec::new();
    let mut page = index.search(&q).unwrap();
    let mut k = 0;
    loop {
        seen.extend(page.ids.iter().copied());
        let Some(mark) = page.marks.last().copied().filter(|_| page.ids.len() == q.limit) else { break };
        // Between pages: creators that do not match are added, and ones that do are written again unchanged —
        // both move every score unless the first page's statistics are kept.
        let mut others: Vec<_> = (0..5).map(|j| doc(ws, &format!("Other {k} {j}"))).collect();
        others.iter_mut().for_each(|d| d.bio = Some("garden party".into()));
        let again: Vec<_> = docs.iter().filter(|d| d.id == seen[0] || d.id == seen[seen.len() - 1]).cloned().collect();
        index.upsert(&others).unwrap();
        index.upsert(&again).unwrap();
        let basis = page.score_basis.clone();
        assert!(basis.is_some(), "a relevance search says what it was scored with");
        page = index.search(&SearchQuery { after: Some(mark), score_basis: basis, ..q.clone() }).unwrap();
        k += 1;
    }
    let mut sorted_seen = seen.clone();
    sorted_seen.sort();
    sorted_seen.dedup();
    assert_eq!(sorted_seen.len(), seen.len(), "no creator twice");
    let mut expected = matching.clone();
    expected.sort();
    assert_eq!(sorted_seen, expected, "every creator that matched, once");
}

#[test]
fn chinese_japanese_and_korean_words_are_found_inside_longer_runs() {
    let index = SearchIndex::in_memory().unwrap();
    let ws = Uuid::now_v7();
    let mut yui = doc(ws, "結衣");
    yui.bio = Some("東京の料理クリエイター。和食とお弁当。".into());
    let mut minji = doc(ws, "김민지");
    minji.bio = Some("서울 맛집 리뷰".into());
    let mut wei = doc(ws, "王伟");
    wei.bio = Some("上海美食博主".into());
    index.upsert(&[yui.clone(), minji.clone(), wei.clone()]).unwrap();

    for q in ["和食", "お弁当", "クリエイター", "東京", "料理 お弁当", "結衣"] {
        assert_eq!(ids(&index, ws, q), [yui.id], "{q}");
    }
    for q in ["맛집", "서울 리뷰", "김민지"] {
        assert_eq!(ids(&index, ws, q), [minji.id], "{q}");
    }
    assert_eq!(ids(&index, ws, "美食"), [wei.id]);
    assert!(ids(&index, ws, "和菓子").is_empty(), "every pair of the word must be there");
}
