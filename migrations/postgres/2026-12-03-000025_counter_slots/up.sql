-- The counts every submission and every timeline step add to (petitions per day and month by
-- kind, category, source and status; timeline steps per day and action) were one row per key:
-- on a crisis day every submission of one category updated the same rows, and each waited for
-- the one before it to commit (submissions went one at a time: 600 a second with PostgreSQL
-- able to take 18,000 single inserts). Each key now has up to 16 rows, `slot` 0-15, which a
-- writer picks by its worker thread (`db::figures::slot`); readers add the slots up (every
-- reader already summed over a period). SQLite, one writer at a time, writes slot 0 only.
DO $$
DECLARE
    spec RECORD;
BEGIN
    FOR spec IN SELECT * FROM (VALUES
        ('petition_day_counts', 'day, kind, category_id, source, status'),
        ('petition_month_counts', 'month, kind, category_id, source, status'),
        ('day_action_counts', 'day, action')
    ) AS s (name, pk) LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 15)', spec.name);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', spec.name, spec.name || '_pkey');
        EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (%s, slot)', spec.name, spec.pk);
    END LOOP;
END $$;
