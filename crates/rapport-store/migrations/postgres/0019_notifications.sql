-- Notifications to team members: one row per person and event, shown in the app and, when
-- the workspace has an SMTP server, also queued as an email in the outbox (`email_status`
-- says which: `queued`, or `skipped` with the reason in `email_note`). `source_key` is the
-- event's natural key (`submission:<id>`, `overdue:<deliverable>:<due date>`…): unique per
-- person, so a periodic scan never notifies anyone twice.
CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('submission', 'decision', 'overdue_draft', 'offer_expiring')),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    source_key TEXT NOT NULL,
    email_status TEXT NOT NULL CHECK (email_status IN ('queued', 'skipped')),
    email_note TEXT,
    email_outbox_id UUID REFERENCES outbox_messages (id) ON DELETE SET NULL,
    read_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT notifications_once UNIQUE (user_id, source_key)
);
CREATE INDEX notifications_inbox ON notifications (workspace_id, user_id, read_at, created_at);
