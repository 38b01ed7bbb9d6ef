-- Sequences: multi-step email follow-ups. Each step sends a playbook email template a
-- number of days after the previous one. A creator enrolled in a sequence gets its steps
-- until it completes or stops — when they reply, change stage, unsubscribe, become
-- do-not-contact or someone stops it. One active enrolment per sequence and creator.
CREATE TABLE sequences (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX sequences_ws ON sequences (workspace_id, created_at);

CREATE TABLE sequence_steps (
    sequence_id UUID NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    delay_days BIGINT NOT NULL,
    template_id UUID NOT NULL REFERENCES playbook_templates (id),
    PRIMARY KEY (sequence_id, position)
);

CREATE TABLE sequence_enrollments (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    sequence_id UUID NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    creator_id UUID NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'stopped')),
    stop_reason TEXT,
    next_position BIGINT NOT NULL,
    next_step_at TIMESTAMPTZ,
    stage_at_enrollment TEXT NOT NULL,
    origin TEXT NOT NULL,
    first_message_id TEXT,
    last_error TEXT,
    enrolled_by TEXT NOT NULL,
    enrolled_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX sequence_enrollments_active ON sequence_enrollments (sequence_id, creator_id) WHERE status = 'active';
CREATE INDEX sequence_enrollments_due ON sequence_enrollments (status, next_step_at);
CREATE INDEX sequence_enrollments_creator ON sequence_enrollments (workspace_id, creator_id, status);
