-- Campaigns, the team on each, collaborations (one creator on one campaign — the deal) with
-- their stage history, and offers (the negotiation history). Money is integer minor units
-- in the campaign's currency; lists (hashtags, mentions, tags) are JSON arrays of text.
CREATE TABLE campaigns (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    objective TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'completed', 'archived')),
    starts_on TEXT,
    ends_on TEXT,
    budget_minor INTEGER CHECK (budget_minor >= 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    disclosure_profile TEXT NOT NULL CHECK (disclosure_profile IN ('us', 'uk', 'eu_de')),
    required_hashtags TEXT NOT NULL,
    required_mentions TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX campaigns_ws_status ON campaigns (workspace_id, status, created_at);

CREATE TABLE campaign_members (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id BLOB NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (campaign_id, user_id)
);

CREATE TABLE collaborations (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id BLOB NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    creator_id BLOB NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    owner_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    stage TEXT NOT NULL CHECK (stage IN ('invited', 'negotiating', 'agreed', 'contracted', 'in_production',
        'completed', 'declined', 'cancelled')),
    fee_model TEXT NOT NULL CHECK (fee_model IN ('flat', 'per_deliverable', 'commission', 'gifted', 'hybrid')),
    agreed_fee_minor INTEGER CHECK (agreed_fee_minor >= 0),
    product_value_minor INTEGER CHECK (product_value_minor >= 0),
    commission_rate_bp INTEGER CHECK (commission_rate_bp BETWEEN 0 AND 10000),
    usage_rights TEXT,
    exclusivity TEXT,
    exclusivity_ends_on TEXT,
    draft_due_on TEXT,
    publish_due_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT collaborations_campaign_creator UNIQUE (campaign_id, creator_id)
);
CREATE INDEX collaborations_ws_campaign ON collaborations (workspace_id, campaign_id);
CREATE INDEX collaborations_ws_creator ON collaborations (workspace_id, creator_id);

-- One row each time a collaboration's stage is set (the first when it is created).
CREATE TABLE collaboration_stage_changes (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    collaboration_id BLOB NOT NULL REFERENCES collaborations (id) ON DELETE CASCADE,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    reason TEXT,
    changed_at TEXT NOT NULL
);
CREATE INDEX collaboration_stage_changes_collab ON collaboration_stage_changes (workspace_id, collaboration_id, changed_at);

-- Offers and counter-offers; `expired` is derived from expires_at, never stored.
CREATE TABLE offers (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    collaboration_id BLOB NOT NULL REFERENCES collaborations (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('brand_to_creator', 'creator_to_brand')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    deliverables TEXT,
    usage_rights TEXT,
    exclusivity TEXT,
    expires_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'countered', 'withdrawn')),
    created_by TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX offers_collab ON offers (workspace_id, collaboration_id, created_at);
