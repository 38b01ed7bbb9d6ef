-- An import's file moves out of the job row into a table of its own. SQLite rewrites a whole
-- row on every update — a 20 MB file with each batch's counts, a 200 MB one at a million rows —
-- and reads it with every look at the job.
CREATE TABLE import_files (
    job_id UUID PRIMARY KEY REFERENCES import_jobs (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL,
    content TEXT NOT NULL
);
INSERT INTO import_files (job_id, workspace_id, content) SELECT id, workspace_id, content FROM import_jobs;
ALTER TABLE import_jobs DROP COLUMN content;

-- Contact points of a set of creators in a workspace (an import's batch): SQLite took the
-- (workspace, kind, value) index for `workspace_id = ? AND creator_id IN (…)` and read every
-- contact point of the workspace; with both columns here it takes this one.
DROP INDEX contact_points_creator;
CREATE INDEX contact_points_creator ON contact_points (creator_id, workspace_id);
