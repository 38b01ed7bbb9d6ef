-- Discovery listings filtered by platforms (any of several), countries and engagement and
-- sorted by followers walk one index in follower order, test every filter on the index entry
-- and stop after a page (the search index would score every match to keep the top ones).
-- For that the creator row carries a summary of its accounts: `platform_mask`, one bit per
-- platform it has an account on (the bits of `rapport_store::creators::platform_bit`), and
-- `main_engagement_pct`, the engagement rate of its main account (the largest following, as
-- the search index takes it). Triggers on social_accounts keep both right, whichever path
-- writes accounts (the app, imports and their undo, merges and their undo).
ALTER TABLE creators ADD COLUMN platform_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE creators ADD COLUMN main_engagement_pct DOUBLE PRECISION;

UPDATE creators SET
        platform_mask = COALESCE((SELECT SUM(DISTINCT CASE s.platform
                WHEN 'instagram' THEN 1 WHEN 'tiktok' THEN 2 WHEN 'youtube' THEN 4 WHEN 'twitch' THEN 8
                WHEN 'x' THEN 16 WHEN 'facebook' THEN 32 WHEN 'threads' THEN 64 WHEN 'pinterest' THEN 128
                WHEN 'snapchat' THEN 256 WHEN 'linkedin' THEN 512 WHEN 'blog' THEN 1024 WHEN 'podcast' THEN 2048
                WHEN 'newsletter' THEN 4096 END)
            FROM social_accounts s WHERE s.creator_id = creators.id), 0),
        main_engagement_pct = (SELECT s.engagement_rate_pct FROM social_accounts s WHERE s.creator_id = creators.id
            ORDER BY s.followers DESC, s.platform, s.id LIMIT 1);

-- Replaces (workspace_id, max_followers, id): the same walk, with the filters on the entry.
DROP INDEX creators_ws_followers;
CREATE INDEX creators_ws_followers ON creators
    (workspace_id, max_followers, id, deleted_at, do_not_contact, country, platform_mask, main_engagement_pct);

CREATE FUNCTION creator_account_summary(creator UUID) RETURNS VOID LANGUAGE sql AS $$
    UPDATE creators SET
        platform_mask = COALESCE((SELECT SUM(DISTINCT CASE s.platform
                WHEN 'instagram' THEN 1 WHEN 'tiktok' THEN 2 WHEN 'youtube' THEN 4 WHEN 'twitch' THEN 8
                WHEN 'x' THEN 16 WHEN 'facebook' THEN 32 WHEN 'threads' THEN 64 WHEN 'pinterest' THEN 128
                WHEN 'snapchat' THEN 256 WHEN 'linkedin' THEN 512 WHEN 'blog' THEN 1024 WHEN 'podcast' THEN 2048
                WHEN 'newsletter' THEN 4096 END)
            FROM social_accounts s WHERE s.creator_id = creators.id), 0),
        main_engagement_pct = (SELECT s.engagement_rate_pct FROM social_accounts s WHERE s.creator_id = creators.id
            ORDER BY s.followers DESC, s.platform, s.id LIMIT 1)
    WHERE id = creator
$$;

CREATE FUNCTION social_accounts_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM creator_account_summary(OLD.creator_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.creator_id IS DISTINCT FROM OLD.creator_id) THEN
        PERFORM creator_account_summary(NEW.creator_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER social_accounts_summary_insert AFTER INSERT ON social_accounts FOR EACH ROW
    EXECUTE FUNCTION social_accounts_summary();

CREATE TRIGGER social_accounts_summary_update AFTER UPDATE OF creator_id, platform, followers, engagement_rate_pct ON social_accounts FOR EACH ROW
    EXECUTE FUNCTION social_accounts_summary();

CREATE TRIGGER social_accounts_summary_delete AFTER DELETE ON social_accounts FOR EACH ROW
    EXECUTE FUNCTION social_accounts_summary();
