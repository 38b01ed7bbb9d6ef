-- Calendar feeds: iCalendar subscriptions to the due dates and publish windows of a
-- workspace's deliverables — all of them, one campaign's or one creator's. The feed's URL
-- carries a secret; only its hash is kept. A revoked feed answers 404.
CREATE TABLE calendar_feeds (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    scope TEXT NOT NULL CHECK (scope IN ('workspace', 'campaign', 'creator')),
    campaign_id UUID REFERENCES campaigns (id) ON DELETE CASCADE,
    creator_id UUID REFERENCES creators (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL,
    label TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT calendar_feeds_token UNIQUE (token_hash),
    CONSTRAINT calendar_feeds_scope_target CHECK (
        (scope = 'workspace' AND campaign_id IS NULL AND creator_id IS NULL)
        OR (scope = 'campaign' AND campaign_id IS NOT NULL AND creator_id IS NULL)
        OR (scope = 'creator' AND creator_id IS NOT NULL AND campaign_id IS NULL))
);
CREATE INDEX calendar_feeds_ws ON calendar_feeds (workspace_id, created_at);
