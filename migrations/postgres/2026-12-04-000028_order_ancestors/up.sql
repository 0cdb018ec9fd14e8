-- Each order under every unit on its unit's path, the unit itself included ('/1/12/314/' → 1, 12,
-- 314): a unit's orders, whatever the depth below it, are one range of this key, newest last.
-- A unit's inbox history and a handler's petitions read that range backwards and stop after a
-- page, so a community's inbox costs what a district's does, at any size of history (through the
-- orders' path range alone, a community's history read every order there was).
-- Kept by `db::petitions::insert_assignment` and `db::units::reparent`; `unit_path` stays the
-- key of the live orders (`assignments_live_by_unit`).
-- Filled first, keyed and checked after: a key and foreign keys checked row by row made the
-- filling of a million orders' rows take minutes.
CREATE TABLE order_ancestors (
    ancestor_id BIGINT NOT NULL,
    assignment_id BIGINT NOT NULL,
    petition_id BIGINT NOT NULL
);
INSERT INTO order_ancestors (ancestor_id, assignment_id, petition_id)
SELECT part::BIGINT, a.id, a.petition_id
FROM assignments a, unnest(string_to_array(trim(BOTH '/' FROM a.unit_path), '/')) AS part
WHERE part <> '';
ALTER TABLE order_ancestors ADD PRIMARY KEY (ancestor_id, assignment_id);
CREATE INDEX order_ancestors_petitions ON order_ancestors (ancestor_id, petition_id);
ALTER TABLE order_ancestors
    ADD FOREIGN KEY (ancestor_id) REFERENCES units (id),
    ADD FOREIGN KEY (assignment_id) REFERENCES assignments (id),
    ADD FOREIGN KEY (petition_id) REFERENCES petitions (id);
