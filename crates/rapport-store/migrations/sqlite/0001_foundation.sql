-- Foundation: tenancy, people auth, creators and their accounts, notes, timeline.
-- Ids are UUIDv7 (BLOB), times are UTC (TEXT), JSON documents are TEXT.

CREATE TABLE workspaces (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    default_currency TEXT NOT NULL DEFAULT 'EUR' CHECK (length(default_currency) = 3),
    timezone TEXT NOT NULL DEFAULT 'UTC',
    settings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT workspaces_slug_key UNIQUE (slug)
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE memberships (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'member', 'viewer')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id BLOB PRIMARY KEY,
    subject_hash BLOB NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures (subject_hash, at);

CREATE TABLE api_keys (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT,
    CONSTRAINT api_keys_secret_hash_key UNIQUE (secret_hash)
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id, created_at);

CREATE TABLE invitations (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'member', 'viewer')),
    token_hash BLOB NOT NULL,
    invited_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    revoked_at TEXT,
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX invitations_workspace ON invitations (workspace_id, created_at);

CREATE TABLE creators (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    legal_name TEXT,
    pronouns TEXT,
    country TEXT,
    city TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    timezone TEXT,
    bio TEXT,
    niches TEXT NOT NULL DEFAULT '[]',
    tone_notes TEXT,
    owner_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    stage TEXT NOT NULL,
    do_not_contact BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT,
    custom_fields TEXT NOT NULL DEFAULT '{}',
    max_followers INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX creators_ws_updated ON creators (workspace_id, updated_at, id);
CREATE INDEX creators_ws_created ON creators (workspace_id, created_at, id);
CREATE INDEX creators_ws_name ON creators (workspace_id, sort_name, id);
CREATE INDEX creators_ws_followers ON creators (workspace_id, max_followers, id);

CREATE TABLE creator_tags (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (creator_id, tag)
);
CREATE INDEX creator_tags_ws_tag ON creator_tags (workspace_id, tag);

CREATE TABLE contact_points (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'whatsapp', 'website', 'dm')),
    value TEXT NOT NULL,
    normalized TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    opted_out_at TEXT,
    created_at TEXT NOT NULL,
    CONSTRAINT contact_points_unique UNIQUE (workspace_id, kind, normalized)
);
CREATE INDEX contact_points_creator ON contact_points (creator_id);

CREATE TABLE social_accounts (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    handle_normalized TEXT NOT NULL,
    url TEXT,
    platform_user_id TEXT,
    followers INTEGER,
    average_views INTEGER,
    engagement_rate_pct REAL,
    audience TEXT NOT NULL DEFAULT '{}',
    audience_quality_pct REAL,
    source TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT social_accounts_unique UNIQUE (workspace_id, platform, handle_normalized)
);
CREATE INDEX social_accounts_creator ON social_accounts (creator_id);
CREATE INDEX social_accounts_ws_platform ON social_accounts (workspace_id, platform);

CREATE TABLE account_snapshots (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id BLOB NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
    followers INTEGER,
    average_views INTEGER,
    engagement_rate_pct REAL,
    source TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX account_snapshots_account ON account_snapshots (account_id, observed_at);

CREATE TABLE notes (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    author_label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX notes_creator ON notes (creator_id, created_at);

CREATE TABLE timeline_events (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id BLOB NOT NULL,
    actor TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]',
    occurred_at TEXT NOT NULL
);
CREATE INDEX timeline_subject ON timeline_events (workspace_id, subject_id, occurred_at);
