-- Stage history: one row each time a creator's stage is set (the first when it is created),
-- with who did it (an actor, as on timeline events), when, and an optional reason. Time in
-- stage and the pipeline's conversion report read it.
CREATE TABLE stage_changes (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    creator_id UUID NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    reason TEXT,
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stage_changes_creator ON stage_changes (workspace_id, creator_id, changed_at);
CREATE INDEX stage_changes_ws_changed ON stage_changes (workspace_id, changed_at);

-- Every existing creator starts its history in its current stage, when it was created.
INSERT INTO stage_changes (id, workspace_id, creator_id, from_stage, to_stage, actor, actor_label, reason, changed_at)
SELECT gen_random_uuid(), workspace_id, id, NULL, stage, 'system', 'Rapport', 'Stage when the stage history began',
       created_at
FROM creators;
