-- Shortlists: a saved search (dynamic, a list query) or a hand-picked list of creators.
CREATE TABLE shortlists (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('saved_search', 'static')),
    query TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX shortlists_ws ON shortlists (workspace_id, name);

CREATE TABLE shortlist_members (
    shortlist_id BLOB NOT NULL REFERENCES shortlists (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (shortlist_id, creator_id)
);
CREATE INDEX shortlist_members_creator ON shortlist_members (creator_id);
