DROP INDEX assignments_live_by_unit;
CREATE INDEX assignments_live_by_unit ON assignments (unit_path, reply_by) WHERE state IN ('pending', 'handling');
