-- Each order carries its unit's path (kept when a unit moves), so a unit's inbox selects its
-- subtree's orders without joining every order to its unit.
ALTER TABLE assignments ADD COLUMN unit_path TEXT NOT NULL DEFAULT '';
UPDATE assignments SET unit_path = (SELECT path FROM units WHERE units.id = assignments.unit_id);
