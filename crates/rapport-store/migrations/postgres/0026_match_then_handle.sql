-- An import may match by email and, for a row whose email finds no creator, by its
-- platform handles ("email_or_handle"): stored as the email key with this flag, so the
-- key's CHECK constraint stays as it is.
ALTER TABLE import_jobs ADD COLUMN match_then_handle BOOLEAN NOT NULL DEFAULT FALSE;
