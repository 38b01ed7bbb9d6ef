-- A creator's main account is its largest following, and an account whose following is
-- unknown comes after every account with one. PostgreSQL sorts NULL first in a descending
-- order (SQLite last), so migration 0020's summary took an account without a following as
-- the main one here: its engagement became the creator's `main_engagement_pct`. The
-- summary now says NULLS LAST, as the store's account listings do; the creators it got
-- wrong are summarised again.
CREATE OR REPLACE FUNCTION creator_account_summary(creator UUID) RETURNS VOID LANGUAGE sql AS $$
    UPDATE creators SET
        platform_mask = COALESCE((SELECT SUM(DISTINCT CASE s.platform
                WHEN 'instagram' THEN 1 WHEN 'tiktok' THEN 2 WHEN 'youtube' THEN 4 WHEN 'twitch' THEN 8
                WHEN 'x' THEN 16 WHEN 'facebook' THEN 32 WHEN 'threads' THEN 64 WHEN 'pinterest' THEN 128
                WHEN 'snapchat' THEN 256 WHEN 'linkedin' THEN 512 WHEN 'blog' THEN 1024 WHEN 'podcast' THEN 2048
                WHEN 'newsletter' THEN 4096 END)
            FROM social_accounts s WHERE s.creator_id = creators.id), 0),
        main_engagement_pct = (SELECT s.engagement_rate_pct FROM social_accounts s WHERE s.creator_id = creators.id
            ORDER BY s.followers DESC NULLS LAST, s.platform, s.id LIMIT 1)
    WHERE id = creator
$$;

UPDATE creators SET
        main_engagement_pct = (SELECT s.engagement_rate_pct FROM social_accounts s WHERE s.creator_id = creators.id
            ORDER BY s.followers DESC NULLS LAST, s.platform, s.id LIMIT 1)
    WHERE id IN (SELECT creator_id FROM social_accounts WHERE followers IS NULL);
