-- The creator portal: magic sign-in links (only a hash of the secret is kept; single use,
-- expiring), portal sessions (by hash, with their own CSRF token), and the creators'
-- ratings of their collaborations.
CREATE TABLE magic_links (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT magic_links_token UNIQUE (token_hash)
);
CREATE INDEX magic_links_creator ON magic_links (workspace_id, creator_id, created_at);

CREATE TABLE portal_sessions (
    token_hash BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX portal_sessions_creator ON portal_sessions (workspace_id, creator_id);

CREATE TABLE collaboration_ratings (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    collaboration_id BLOB NOT NULL REFERENCES collaborations (id) ON DELETE CASCADE,
    rated_by TEXT NOT NULL CHECK (rated_by IN ('creator', 'brand')),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT collaboration_ratings_once UNIQUE (collaboration_id, rated_by)
);
