-- A creator's accounts are read by creator and workspace together (`creator_id IN (…) AND
-- workspace_id = …`). With both columns in one index the planner takes it over the
-- workspace-wide (workspace_id, platform) index even before any statistics exist.
DROP INDEX social_accounts_creator;
CREATE INDEX social_accounts_creator ON social_accounts (creator_id, workspace_id);

-- A workspace's creators in id order (index rebuilds, exports), one page after another,
-- without sorting the whole workspace for each page.
CREATE INDEX creators_ws_id ON creators (workspace_id, id);

-- Listings filtered by country and sorted by followers (the discovery list's commonest
-- shape) walk this index in order and stop after one page.
CREATE INDEX creators_ws_country_followers ON creators (workspace_id, country, max_followers, id);
