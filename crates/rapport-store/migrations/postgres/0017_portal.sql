-- The creator portal: magic sign-in links (only a hash of the secret is kept; single use,
-- expiring), portal sessions (by hash, with their own CSRF token), and the creators'
-- ratings of their collaborations.
CREATE TABLE magic_links (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id UUID NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT magic_links_token UNIQUE (token_hash)
);
CREATE INDEX magic_links_creator ON magic_links (workspace_id, creator_id, created_at);

CREATE TABLE portal_sessions (
    token_hash BYTEA PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id UUID NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX portal_sessions_creator ON portal_sessions (workspace_id, creator_id);

CREATE TABLE collaboration_ratings (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    collaboration_id UUID NOT NULL REFERENCES collaborations (id) ON DELETE CASCADE,
    rated_by TEXT NOT NULL CHECK (rated_by IN ('creator', 'brand')),
    score BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT collaboration_ratings_once UNIQUE (collaboration_id, rated_by)
);
