-- Each order carries its unit's path (kept when a unit moves), so a unit's inbox selects its
-- subtree's orders without joining every order to its unit.
ALTER TABLE assignments ADD COLUMN unit_path TEXT NOT NULL DEFAULT '';
UPDATE assignments SET unit_path = (SELECT path FROM units WHERE units.id = assignments.unit_id);
-- The work in hand of a subtree, found by path without reading other units' orders.
CREATE INDEX assignments_live_by_unit ON assignments (unit_path, reply_by) WHERE state IN ('pending', 'handling');
