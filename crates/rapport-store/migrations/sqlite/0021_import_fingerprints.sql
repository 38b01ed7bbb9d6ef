-- A re-import of an unchanged row need not read its creator. After an import writes (or
-- finds unchanged) a creator, it keeps a fingerprint of the row and the creator's newest
-- change-log sequence number: while both still match — the same row again, and no write
-- to the creator since (every write appends to the change log) — the row changes nothing.
CREATE TABLE import_fingerprints (
    creator_id BLOB PRIMARY KEY REFERENCES creators (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL,
    fingerprint TEXT NOT NULL,
    change_seq INTEGER
);
CREATE INDEX creator_changes_creator ON creator_changes (creator_id, seq);
