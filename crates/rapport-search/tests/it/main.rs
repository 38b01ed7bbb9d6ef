//! Integration tests of the search index: brute-force equivalence, text handling, lifecycle on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod lifecycle;
mod model;
mod property;
mod text;
