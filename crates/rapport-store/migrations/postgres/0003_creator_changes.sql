-- The change log the search index follows: every write to a creator (or to what the
-- index derives from it) appends a row in the same transaction. Each server process
-- tails it from its own checkpoint.
CREATE TABLE creator_changes (
    seq BIGSERIAL PRIMARY KEY,
    workspace_id UUID NOT NULL,
    creator_id UUID NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX creator_changes_changed_at ON creator_changes (changed_at);
