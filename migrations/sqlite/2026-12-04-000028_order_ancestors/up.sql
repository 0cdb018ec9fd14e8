-- Each order under every unit on its unit's path, the unit itself included ('/1/12/314/' → 1, 12,
-- 314): a unit's orders, whatever the depth below it, are one range of this key, newest last.
-- A unit's inbox history and a handler's petitions read that range backwards and stop after a
-- page, so a community's inbox costs what a district's does, at any size of history (through the
-- orders' path range alone, a community's history read every order there was).
-- Kept by `db::petitions::insert_assignment` and `db::units::reparent`; `unit_path` stays the
-- key of the live orders (`assignments_live_by_unit`).
CREATE TABLE order_ancestors (
    ancestor_id BIGINT NOT NULL REFERENCES units (id),
    assignment_id BIGINT NOT NULL REFERENCES assignments (id),
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    PRIMARY KEY (ancestor_id, assignment_id)
) WITHOUT ROWID;
-- The path's ids one by one: '/1/12/314/' → '1/12/314/' → '12/314/' → '314/' → ''.
INSERT INTO order_ancestors (ancestor_id, assignment_id, petition_id)
WITH RECURSIVE parts (assignment_id, petition_id, part, rest) AS (
    SELECT id, petition_id, NULL, substr(unit_path, 2) FROM assignments
    UNION ALL
    SELECT assignment_id, petition_id, CAST(substr(rest, 1, instr(rest, '/') - 1) AS INTEGER),
           substr(rest, instr(rest, '/') + 1)
    FROM parts WHERE instr(rest, '/') > 0
)
SELECT part, assignment_id, petition_id FROM parts WHERE part IS NOT NULL;
CREATE INDEX order_ancestors_petitions ON order_ancestors (ancestor_id, petition_id);
