//! The one error type of the search crate.

use std::path::PathBuf;

/// Why a search-index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Another index writer (in this or another process) holds the index directory.
    #[error("search index at {0} is locked by another writer")]
    Locked(PathBuf),
    /// The index directory has gone from under the open index (deleted by hand).
    #[error("search index at {0} has gone")]
    Missing(PathBuf),
    /// A file-system operation on the index directory failed.
    #[error("search index i/o on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// tantivy reported an error.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SearchError {
        let path = path.into();
        move |source| SearchError::Io { path, source }
    }
}
