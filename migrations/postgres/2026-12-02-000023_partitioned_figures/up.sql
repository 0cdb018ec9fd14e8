-- Declarative partitioning of the figure tables (PostgreSQL only; SQLite, the one-process
-- default, keeps plain tables — the migration there is empty). Every read of these tables names
-- its days or months, so a period's ranking, briefing or trend reads only the partitions of that
-- period, and an old year can be detached and archived on its own (docs/scale.md).
--   daily tables (unit_day_figures, day_figures, petition_day_counts, day_action_counts):
--     by month of `day` ('YYYY-MM-DD' between the bounds 'YYYY-MM' and the next month);
--   monthly tables (unit_month_figures, petition_month_counts): by year of `month`.
-- Partitions exist from 2024 to twelve months ahead; `minhu_keep_partitions(months)` (run by
-- the jobs) adds the months to come, and a DEFAULT partition holds anything outside them
-- (older history moved in from before, or a date far ahead) so no write can fail for want of a
-- partition. The primary keys hold the partition keys already (they lead with the day or month,
-- or follow the unit), so upserts (`ON CONFLICT`) work unchanged.

CREATE FUNCTION minhu_partition_name(parent TEXT, bound TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$ SELECT parent || '_' || replace(bound, '-', '_') $$;

-- Adds the partition of `parent` for the range starting at `bound` ('YYYY-MM' by month,
-- 'YYYY' by year) unless it exists. A range the DEFAULT partition already holds rows of is left
-- there (those rows stay readable; a maintenance window can move them).
CREATE FUNCTION minhu_add_partition(parent TEXT, bound TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    upper TEXT;
    name TEXT := minhu_partition_name(parent, bound);
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    IF length(bound) = 4 THEN
        upper := (bound::INT + 1)::TEXT;
    ELSE
        upper := to_char(to_date(bound || '-01', 'YYYY-MM-DD') + INTERVAL '1 month', 'YYYY-MM');
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       name, parent, bound, upper);
    EXCEPTION WHEN check_violation THEN
        RAISE NOTICE 'partition % left in the default partition: it holds rows of that range', name;
    END;
END $$;

-- The partitions of every figure table from this month to `months` months ahead.
CREATE FUNCTION minhu_keep_partitions(months INT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    m DATE;
    t TEXT;
BEGIN
    FOR i IN 0..months LOOP
        m := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::DATE + make_interval(months => i);
        FOREACH t IN ARRAY ARRAY['unit_day_figures', 'day_figures', 'petition_day_counts', 'day_action_counts'] LOOP
            PERFORM minhu_add_partition(t, to_char(m, 'YYYY-MM'));
        END LOOP;
        FOREACH t IN ARRAY ARRAY['unit_month_figures', 'petition_month_counts'] LOOP
            PERFORM minhu_add_partition(t, to_char(m, 'YYYY'));
        END LOOP;
    END LOOP;
END $$;

-- Each table: the old one renamed, the partitioned one created like it (columns, defaults,
-- checks), its keys and indexes, its partitions, the rows moved over, the old one dropped.
DO $$
DECLARE
    spec RECORD;
    m DATE;
BEGIN
    FOR spec IN SELECT * FROM (VALUES
        ('unit_day_figures', 'day', 'unit_id, day', 'month'),
        ('day_figures', 'day', 'day', 'month'),
        ('petition_day_counts', 'day', 'day, kind, category_id, source, status', 'month'),
        ('day_action_counts', 'day', 'day, action', 'month'),
        ('unit_month_figures', 'month', 'unit_id, month', 'year'),
        ('petition_month_counts', 'month', 'month, kind, category_id, source, status', 'year')
    ) AS s (name, key, pk, step) LOOP
        EXECUTE format('ALTER TABLE %I RENAME TO %I', spec.name, spec.name || '_unpartitioned');
        EXECUTE format('ALTER INDEX %I RENAME TO %I', spec.name || '_pkey', spec.name || '_unpartitioned_pkey');
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (%I)',
                       spec.name, spec.name || '_unpartitioned', spec.key);
        EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (%s)', spec.name, spec.pk);
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', spec.name || '_default', spec.name);
        m := DATE '2024-01-01';
        WHILE m <= date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::DATE + INTERVAL '12 months' LOOP
            PERFORM minhu_add_partition(spec.name,
                CASE spec.step WHEN 'year' THEN to_char(m, 'YYYY') ELSE to_char(m, 'YYYY-MM') END);
            m := m + INTERVAL '1 month';
        END LOOP;
        EXECUTE format('INSERT INTO %I SELECT * FROM %I', spec.name, spec.name || '_unpartitioned');
        EXECUTE format('DROP TABLE %I', spec.name || '_unpartitioned');
    END LOOP;
END $$;

ALTER TABLE unit_day_figures ADD FOREIGN KEY (unit_id) REFERENCES units (id);
ALTER TABLE unit_month_figures ADD FOREIGN KEY (unit_id) REFERENCES units (id);
CREATE INDEX unit_day_figures_day ON unit_day_figures (day);
CREATE INDEX unit_month_figures_month ON unit_month_figures (month);
