DROP INDEX assignments_live_by_unit;
ALTER TABLE assignments DROP COLUMN unit_path;
