//! The collection statistics relevance is scored with (BM25: the number of documents, the tokens of each
//! text field, and how many documents hold each search word), kept from a search's first page so that its
//! later pages score every creator as the first did. Without it a write anywhere in the index between two
//! pages moves every score a little, and a page continuing after the previous page's last score skips or
//! repeats creators.

use std::sync::Mutex;

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// The statistics one search's scores were computed with. Opaque outside the index: carried between pages
/// in [`ScoreBasis::encode`]d form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScoreBasis {
    docs: Option<u64>,
    /// (field id, tokens).
    tokens: Vec<(u32, u64)>,
    /// (hash of the term, documents holding it).
    doc_freqs: Vec<(u64, u64)>,
}

impl ScoreBasis {
    /// A compact text form: `docs-field:tokens,…-hash:freq,…` (hashes in hex).
    pub fn encode(&self) -> String {
        let docs = self.docs.map(|d| d.to_string()).unwrap_or_default();
        let tokens: Vec<String> = self.tokens.iter().map(|(f, n)| format!("{f}:{n}")).collect();
        let freqs: Vec<String> = self.doc_freqs.iter().map(|(h, n)| format!("{h:x}:{n}")).collect();
        format!("{docs}-{}-{}", tokens.join(","), freqs.join(","))
    }

    /// The form [`ScoreBasis::encode`] wrote; `None` for anything else.
    pub fn decode(s: &str) -> Option<ScoreBasis> {
        let mut parts = s.split('-');
        let (docs, tokens, freqs) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        fn pairs<K>(s: &str, key: impl Fn(&str) -> Option<K>) -> Option<Vec<(K, u64)>> {
            s.split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, n) = p.split_once(':')?;
                    Some((key(k)?, n.parse().ok()?))
                })
                .collect()
        }
        Some(ScoreBasis {
            docs: if docs.is_empty() { None } else { Some(docs.parse().ok()?) },
            tokens: pairs(tokens, |k| k.parse().ok())?,
            doc_freqs: pairs(freqs, |k| u64::from_str_radix(k, 16).ok())?,
        })
    }
}

/// FNV-1a of a term's field and bytes: stable across builds and processes, unlike std's hasher.
fn term_hash(term: &Term) -> u64 {
    let field = term.field().field_id().to_le_bytes();
    field
        .iter()
        .chain(term.serialized_value_bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Answers tantivy's questions from a given basis where it has the answer, from the searcher otherwise, and
/// records every answer: the basis of this search, for its next page.
pub(crate) struct Scoring<'a> {
    searcher: &'a Searcher,
    given: Option<&'a ScoreBasis>,
    used: Mutex<ScoreBasis>,
}

impl<'a> Scoring<'a> {
    pub(crate) fn new(searcher: &'a Searcher, given: Option<&'a ScoreBasis>) -> Scoring<'a> {
        Scoring { searcher, given, used: Mutex::new(ScoreBasis::default()) }
    }

    /// What the search was scored with.
    pub(crate) fn used(self) -> ScoreBasis {
        self.used.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn record(&self, f: impl FnOnce(&mut ScoreBasis)) {
        let mut used = self.used.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut used);
    }
}

impl Bm25StatisticsProvider for Scoring<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let id = field.field_id();
        let given = self.given.and_then(|g| g.tokens.iter().find(|(f, _)| *f == id)).map(|(_, n)| *n);
        let n = match given {
            Some(n) => n,
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?,
        };
        self.record(|u| {
            if !u.tokens.iter().any(|(f, _)| *f == id) {
                u.tokens.push((id, n));
            }
        });
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        let n = match self.given.and_then(|g| g.docs) {
            Some(n) => n,
            None => Bm25StatisticsProvider::total_num_docs(self.searcher)?,
        };
        self.record(|u| u.docs = Some(n));
        Ok(n)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let hash = term_hash(term);
        let given = self.given.and_then(|g| g.doc_freqs.iter().find(|(h, _)| *h == hash)).map(|(_, n)| *n);
        let n = match given {
            Some(n) => n,
            None => self.searcher.doc_freq(term)?,
        };
        self.record(|u| {
            if !u.doc_freqs.iter().any(|(h, _)| *h == hash) {
                u.doc_freqs.push((hash, n));
            }
        });
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basis_reads_back_as_it_was_written() {
        let b = ScoreBasis {
            docs: Some(1_000_000),
            tokens: vec![(3, 25_000_000), (4, 2_100_000)],
            doc_freqs: vec![(u64::MAX, 17), (0xab, 0)],
        };
        assert_eq!(ScoreBasis::decode(&b.encode()), Some(b));
        assert_eq!(ScoreBasis::decode(&ScoreBasis::default().encode()), Some(ScoreBasis::default()));
        for bad in ["", "1-2", "x--", "1-a:1-", "1--zz:1", "1---"] {
            assert_eq!(ScoreBasis::decode(bad), None, "{bad}");
        }
    }
}
