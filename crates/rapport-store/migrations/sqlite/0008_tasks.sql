-- Tasks on creators: a title, an optional due date, who it is assigned to (a member of the
-- workspace) and when it was done (NULL while open).
CREATE TABLE tasks (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    due_on TEXT,
    assignee_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX tasks_creator ON tasks (workspace_id, creator_id, created_at);
CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id, due_on);
