-- Received email. A workspace's IMAP mailbox that the server polls (with the last UID seen,
-- so each message is read once, and a lease so one process polls it at a time), and every
-- message received by polling or imported from .eml/mbox: matched to a creator by thread
-- or address, or waiting in the review inbox. A Message-ID is stored once per workspace.
CREATE TABLE mailboxes (
    workspace_id BLOB PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    security TEXT NOT NULL CHECK (security IN ('tls', 'none')),
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    folder TEXT NOT NULL,
    poll_seconds INTEGER NOT NULL,
    uid_validity INTEGER,
    last_uid INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT,
    last_polled_at TEXT,
    last_error TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE inbound_messages (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('imap', 'import')),
    message_id TEXT NOT NULL,
    in_reply_to TEXT,
    references_ids TEXT,
    from_email TEXT,
    from_name TEXT,
    to_emails TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    full_text TEXT NOT NULL,
    attachments TEXT NOT NULL,
    received_at TEXT NOT NULL,
    creator_id BLOB REFERENCES creators (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('matched', 'review', 'dismissed')),
    matched_by TEXT CHECK (matched_by IN ('thread', 'address', 'manual')),
    created_at TEXT NOT NULL,
    CONSTRAINT inbound_messages_message_id_key UNIQUE (workspace_id, message_id)
);
CREATE INDEX inbound_status ON inbound_messages (workspace_id, status, received_at);
CREATE INDEX inbound_creator ON inbound_messages (workspace_id, creator_id, received_at);
CREATE INDEX outbox_message_id_ws ON outbox_messages (workspace_id, message_id);
