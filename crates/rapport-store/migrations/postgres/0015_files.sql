-- Uploaded files (drafts, brief attachments). The bytes live outside the database in a
-- content-addressed store (`storage_key`, derived from the SHA-256), so identical uploads
-- share bytes; each upload is its own row with its own name. `content_type` is sniffed
-- from the bytes, never taken from the client.
CREATE TABLE files (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    storage_key TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX files_sha256 ON files (workspace_id, sha256);
CREATE INDEX files_storage_key ON files (storage_key);
