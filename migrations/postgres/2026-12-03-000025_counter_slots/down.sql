-- One row per key again: the slots added up into slot 0, then the column dropped.
DO $$
DECLARE
    spec RECORD;
BEGIN
    FOR spec IN SELECT * FROM (VALUES
        ('petition_day_counts', 'day, kind, category_id, source, status'),
        ('petition_month_counts', 'month, kind, category_id, source, status'),
        ('day_action_counts', 'day, action')
    ) AS s (name, pk) LOOP
        EXECUTE format('CREATE TEMP TABLE summed ON COMMIT DROP AS SELECT %s, sum(n)::BIGINT AS n FROM %I GROUP BY %s',
                       spec.pk, spec.name, spec.pk);
        EXECUTE format('DELETE FROM %I', spec.name);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', spec.name, spec.name || '_pkey');
        EXECUTE format('ALTER TABLE %I DROP COLUMN slot', spec.name);
        EXECUTE format('INSERT INTO %I (%s, n) SELECT %s, n FROM summed', spec.name, spec.pk, spec.pk);
        EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (%s)', spec.name, spec.pk);
        DROP TABLE summed;
    END LOOP;
END $$;
