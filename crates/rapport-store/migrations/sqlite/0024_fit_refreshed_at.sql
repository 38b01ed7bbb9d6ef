-- When a workspace's fit scores in the search index were last recomputed for every creator
-- (a creator's document is otherwise rewritten only when that creator changes, while data
-- freshness falls day by day and engagement medians move with every account). NULL: never;
-- the first look starts the clock.
ALTER TABLE workspaces ADD COLUMN fit_refreshed_at TEXT;
