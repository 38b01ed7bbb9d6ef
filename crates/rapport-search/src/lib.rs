#![forbid(unsafe_code)]
//! Rapport's creator search engine on tantivy: one index of denormalised [`CreatorDoc`]s, filtered per
//! workspace, with free text (BM25, accent folding), keyword and range filters, exact sorting with id
//! tie-breaks, and facet counts. It knows plain structs only, never the database; the app layer feeds it
//! and keeps it in step through [`SearchIndex::checkpoint`].

mod basis;
mod collector;
mod error;
mod index;
mod model;
mod projection;
mod query;
mod schema;
mod words;

pub use basis::ScoreBasis;
pub use error::SearchError;
pub use index::{LogPosition, Opened, RebuildReason, SearchIndex};
pub use model::{
    CreatorDoc, Facet, FacetSet, Facets, FollowerPage, Mark, OwnerFilter, SearchQuery, SearchResult, SearchSort, TIERS,
    TierRange, UNKNOWN_TIER, tier_index, tier_name,
};
pub use query::TextTerms;
pub use schema::{SCHEMA_VERSION, city_key, text_tokens};
