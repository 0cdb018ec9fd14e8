ALTER TABLE assignments DROP COLUMN unit_path;
