-- Interactions: the communication with a creator — emails in and out, logged DMs, calls,
-- meetings — each with a channel, a direction (`inbound` = from the creator, `outbound` =
-- from us) and when it happened. The threading columns (`thread_id`, `message_id`,
-- `in_reply_to`, `references_ids`) are filled by email sending and receiving; a message id
-- is unique within a workspace so an email is recorded once. Responsiveness and the
-- next-touch cadence are computed from these rows.
CREATE TABLE interactions (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'dm', 'call', 'meeting', 'other')),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    platform TEXT,
    subject TEXT,
    body TEXT NOT NULL DEFAULT '',
    occurred_at TEXT NOT NULL,
    participants TEXT,
    thread_id TEXT,
    message_id TEXT,
    in_reply_to TEXT,
    references_ids TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_creator ON interactions (workspace_id, creator_id, occurred_at);
CREATE INDEX interactions_ws_occurred ON interactions (workspace_id, occurred_at);
CREATE UNIQUE INDEX interactions_message_id ON interactions (workspace_id, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX interactions_thread ON interactions (workspace_id, thread_id) WHERE thread_id IS NOT NULL;

-- The next-touch cadence: reach out to this creator every N days (NULL: no cadence).
ALTER TABLE creators ADD COLUMN touch_every_days BIGINT CHECK (touch_every_days BETWEEN 1 AND 3650);
CREATE INDEX creators_ws_owner_touch ON creators (workspace_id, owner_id, touch_every_days);

-- The workspace activity feed reads the timeline newest first, optionally by actor.
CREATE INDEX timeline_ws_id ON timeline_events (workspace_id, id);
CREATE INDEX timeline_ws_actor ON timeline_events (workspace_id, actor, id);
