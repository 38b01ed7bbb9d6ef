-- A creator's main account is its largest following, and an account whose following is
-- unknown comes after every account with one. SQLite sorts NULL last in a descending order,
-- so migration 0020's triggers already took the right account here; PostgreSQL sorts it
-- first, and its 0023 corrects the summary function and the creators it got wrong. The
-- same correction runs here, where it finds nothing to change, so both engines' databases
-- have passed through the same steps.
UPDATE creators SET
        main_engagement_pct = (SELECT s.engagement_rate_pct FROM social_accounts s WHERE s.creator_id = creators.id
            ORDER BY s.followers DESC NULLS LAST, s.platform, s.id LIMIT 1)
    WHERE id IN (SELECT creator_id FROM social_accounts WHERE followers IS NULL);
