-- Imports: a job per uploaded file (its text kept so an interrupted job can resume) and
-- one row per processed data row. Unique (job_id, row_number) makes a resumed job skip
-- rows already done; `before` holds an updated creator's prior state for undo.

CREATE TABLE import_jobs (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('create', 'update', 'upsert')),
    match_key TEXT NOT NULL CHECK (match_key IN ('email', 'handle', 'id')),
    default_platform TEXT,
    status TEXT NOT NULL CHECK (status IN ('previewed', 'running', 'completed', 'failed', 'undoing', 'undone')),
    total BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    rows_done BIGINT NOT NULL DEFAULT 0,
    rows_undone BIGINT NOT NULL DEFAULT 0,
    mapping TEXT NOT NULL DEFAULT '[]',
    content TEXT NOT NULL,
    error TEXT,
    created_by TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    undone_by TEXT,
    undone_by_label TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);
CREATE INDEX import_jobs_ws_created ON import_jobs (workspace_id, created_at, id);
CREATE INDEX import_jobs_status ON import_jobs (status);

CREATE TABLE import_job_rows (
    job_id UUID NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    row_number BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged', 'failed')),
    creator_id UUID,
    before TEXT,
    error TEXT,
    processed_at TIMESTAMPTZ NOT NULL,
    undone_at TIMESTAMPTZ,
    CONSTRAINT import_job_rows_key PRIMARY KEY (job_id, row_number)
);
CREATE INDEX import_job_rows_creator ON import_job_rows (workspace_id, creator_id);
