-- The workspace playbook: user-editable templates for outreach emails (a subject and a body),
-- creator briefs and review checklists. Names are unique per workspace and kind (ignoring
-- case) among templates that are not deleted; deleting keeps the row (deleted_at).
CREATE TABLE playbook_templates (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'brief', 'review_checklist')),
    name TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX playbook_templates_name_key ON playbook_templates (workspace_id, kind, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX playbook_templates_ws ON playbook_templates (workspace_id, kind, name);
