-- Back to plain tables, rows kept.
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['unit_day_figures', 'day_figures', 'petition_day_counts', 'day_action_counts',
                             'unit_month_figures', 'petition_month_counts'] LOOP
        EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_partitioned');
        EXECUTE format('ALTER INDEX %I RENAME TO %I', t || '_pkey', t || '_partitioned_pkey');
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', t, t || '_partitioned');
        EXECUTE format('INSERT INTO %I SELECT * FROM %I', t, t || '_partitioned');
        EXECUTE format('DROP TABLE %I', t || '_partitioned');
    END LOOP;
END $$;
ALTER TABLE unit_day_figures ADD PRIMARY KEY (unit_id, day);
ALTER TABLE day_figures ADD PRIMARY KEY (day);
ALTER TABLE petition_day_counts ADD PRIMARY KEY (day, kind, category_id, source, status);
ALTER TABLE day_action_counts ADD PRIMARY KEY (day, action);
ALTER TABLE unit_month_figures ADD PRIMARY KEY (unit_id, month);
ALTER TABLE petition_month_counts ADD PRIMARY KEY (month, kind, category_id, source, status);
ALTER TABLE unit_day_figures ADD FOREIGN KEY (unit_id) REFERENCES units (id);
ALTER TABLE unit_month_figures ADD FOREIGN KEY (unit_id) REFERENCES units (id);
CREATE INDEX unit_day_figures_day ON unit_day_figures (day);
CREATE INDEX unit_month_figures_month ON unit_month_figures (month);
DROP FUNCTION minhu_keep_partitions(INT);
DROP FUNCTION minhu_add_partition(TEXT, TEXT);
DROP FUNCTION minhu_partition_name(TEXT, TEXT);
