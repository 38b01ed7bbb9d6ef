-- Execution of a campaign: versioned briefs and the creators' acknowledgements, the
-- deliverables of each collaboration with their status history, the drafts submitted for
-- review with their decisions and comments, and share links for reviewers without an
-- account (only a hash of the link's secret is kept). Lists are JSON arrays of text.
CREATE TABLE briefs (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id BLOB NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    goals TEXT NOT NULL,
    key_messages TEXT,
    dos TEXT,
    donts TEXT,
    non_negotiables TEXT,
    creative_freedom TEXT,
    reference_notes TEXT,
    attachment_ids TEXT NOT NULL,
    template_id BLOB,
    body_template TEXT,
    created_by TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT briefs_campaign_version UNIQUE (campaign_id, version)
);
CREATE INDEX briefs_ws_campaign ON briefs (workspace_id, campaign_id, version);

CREATE TABLE brief_acknowledgements (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    brief_id BLOB NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
    collaboration_id BLOB NOT NULL REFERENCES collaborations (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    acknowledged_at TEXT NOT NULL,
    CONSTRAINT brief_acknowledgements_once UNIQUE (brief_id, collaboration_id)
);
CREATE INDEX brief_acknowledgements_collab ON brief_acknowledgements (workspace_id, collaboration_id);

CREATE TABLE deliverables (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    collaboration_id BLOB NOT NULL REFERENCES collaborations (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('post', 'reel', 'story', 'short', 'video', 'live', 'blog', 'newsletter',
        'ugc_asset')),
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    draft_due_on TEXT,
    publish_from TEXT,
    publish_until TEXT,
    fee_minor INTEGER CHECK (fee_minor >= 0),
    hashtags TEXT NOT NULL,
    mentions TEXT NOT NULL,
    link TEXT,
    code TEXT,
    disclosure_required BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'draft_submitted', 'changes_requested', 'approved', 'published',
        'verified', 'missed', 'cancelled')),
    published_url TEXT,
    published_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX deliverables_ws_collab ON deliverables (workspace_id, collaboration_id);
CREATE INDEX deliverables_ws_due ON deliverables (workspace_id, status, draft_due_on);

CREATE TABLE deliverable_status_changes (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    deliverable_id BLOB NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    reason TEXT,
    changed_at TEXT NOT NULL
);
CREATE INDEX deliverable_status_changes_dl ON deliverable_status_changes (workspace_id, deliverable_id, changed_at);

CREATE TABLE submissions (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    deliverable_id BLOB NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    caption TEXT,
    links TEXT NOT NULL,
    file_ids TEXT NOT NULL,
    note TEXT,
    submitted_by TEXT NOT NULL,
    submitted_by_label TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    checklist TEXT NOT NULL,
    disclosure TEXT NOT NULL,
    decision TEXT CHECK (decision IN ('changes_requested', 'approved')),
    feedback TEXT,
    decided_by TEXT,
    decided_by_label TEXT,
    decided_at TEXT,
    CONSTRAINT submissions_deliverable_version UNIQUE (deliverable_id, version)
);
CREATE INDEX submissions_ws_deliverable ON submissions (workspace_id, deliverable_id, version);

CREATE TABLE submission_comments (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    submission_id BLOB NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    author_label TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX submission_comments_sub ON submission_comments (workspace_id, submission_id, created_at);

CREATE TABLE review_links (
    id BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    deliverable_id BLOB NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL,
    label TEXT,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT review_links_token UNIQUE (token_hash)
);
CREATE INDEX review_links_dl ON review_links (workspace_id, deliverable_id);
