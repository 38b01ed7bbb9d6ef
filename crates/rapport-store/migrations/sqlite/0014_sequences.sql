-- Sequences: multi-step email follow-ups. Each step sends a playbook email template a
-- number of days after the previous one. A creator enrolled in a sequence gets its steps
-- until it completes or stops — when they reply, change stage, unsubscribe, become
-- do-not-contact or someone stops it. One active enrolment per sequence and creator.
CREATE TABLE sequences (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX sequences_ws ON sequences (workspace_id, created_at);

CREATE TABLE sequence_steps (
    sequence_id BLOB NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    delay_days INTEGER NOT NULL,
    template_id BLOB NOT NULL REFERENCES playbook_templates (id),
    PRIMARY KEY (sequence_id, position)
);

CREATE TABLE sequence_enrollments (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    sequence_id BLOB NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'stopped')),
    stop_reason TEXT,
    next_position INTEGER NOT NULL,
    next_step_at TEXT,
    stage_at_enrollment TEXT NOT NULL,
    origin TEXT NOT NULL,
    first_message_id TEXT,
    last_error TEXT,
    enrolled_by TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE UNIQUE INDEX sequence_enrollments_active ON sequence_enrollments (sequence_id, creator_id) WHERE status = 'active';
CREATE INDEX sequence_enrollments_due ON sequence_enrollments (status, next_step_at);
CREATE INDEX sequence_enrollments_creator ON sequence_enrollments (workspace_id, creator_id, status);
