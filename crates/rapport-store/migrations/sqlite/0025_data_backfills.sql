-- Data changes a migration's SQL cannot make (they need Rust), each run once after the
-- migrations and recorded here: `sort_names` folds the accents out of every creator's sort
-- key ("Élodie" sorted after "Zoe").
CREATE TABLE data_backfills (
    name TEXT PRIMARY KEY,
    done_at TEXT NOT NULL
);
