-- Email sending. A workspace's SMTP server, each member's sender identity, a durable outbox
-- that a worker delivers from (throttled, retried on temporary failures), the suppression
-- list every send honours, one-click unsubscribe tokens (stored hashed) and the log of
-- outreach-lock overrides.
CREATE TABLE mail_settings (
    workspace_id BLOB PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    security TEXT NOT NULL CHECK (security IN ('starttls', 'tls', 'none')),
    username TEXT,
    password TEXT,
    from_name TEXT NOT NULL,
    from_email TEXT NOT NULL,
    max_per_hour INTEGER NOT NULL,
    lock_days INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE mail_senders (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_name TEXT NOT NULL,
    from_email TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

CREATE TABLE outbox_messages (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB REFERENCES creators (id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('outreach', 'transactional')),
    from_name TEXT NOT NULL,
    from_email TEXT NOT NULL,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    message_id TEXT NOT NULL,
    in_reply_to TEXT,
    references_ids TEXT,
    unsubscribe_url TEXT,
    idempotency_key TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,
    last_error TEXT,
    sent_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT outbox_messages_message_id_key UNIQUE (message_id),
    CONSTRAINT outbox_messages_idempotency_key UNIQUE (workspace_id, idempotency_key)
);
CREATE INDEX outbox_due ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_sender_sent ON outbox_messages (from_email, sent_at);
CREATE INDEX outbox_creator ON outbox_messages (workspace_id, creator_id, created_at);

CREATE TABLE suppressions (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'manual')),
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, email)
);

CREATE TABLE unsubscribe_tokens (
    token_hash BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    creator_id BLOB REFERENCES creators (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE outreach_overrides (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    outbox_id BLOB REFERENCES outbox_messages (id) ON DELETE SET NULL,
    reasons TEXT NOT NULL,
    note TEXT,
    actor TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX outreach_overrides_ws ON outreach_overrides (workspace_id, created_at);
