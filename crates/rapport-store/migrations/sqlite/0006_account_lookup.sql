-- A creator's accounts are read by creator and workspace together (`creator_id IN (…) AND
-- workspace_id = …`). With both columns in one index the planner takes it over the
-- workspace-wide (workspace_id, platform) index even before any statistics exist.
DROP INDEX social_accounts_creator;
CREATE INDEX social_accounts_creator ON social_accounts (creator_id, workspace_id);
