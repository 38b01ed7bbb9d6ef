-- Merges: one row per "merge creator B into A". `survivor_before` and `loser_snapshot` hold
-- both creators' complete stored state (JSON CreatorSnapshot) and `moved` the ids of every
-- record moved from the loser to the survivor, so an undo can put back exactly that.
CREATE TABLE merges (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    survivor_id UUID NOT NULL,
    loser_id UUID NOT NULL,
    choices TEXT NOT NULL DEFAULT '{}',
    survivor_before TEXT NOT NULL,
    loser_snapshot TEXT NOT NULL,
    moved TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    undone_at TIMESTAMPTZ
);
CREATE INDEX merges_ws_created ON merges (workspace_id, created_at, id);
CREATE INDEX merges_ws_survivor ON merges (workspace_id, survivor_id);
