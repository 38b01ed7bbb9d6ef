-- The change log the search index follows: every write to a creator (or to what the
-- index derives from it) appends a row in the same transaction. Each server process
-- tails it from its own checkpoint.
CREATE TABLE creator_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BLOB NOT NULL,
    creator_id BLOB NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX creator_changes_changed_at ON creator_changes (changed_at);
