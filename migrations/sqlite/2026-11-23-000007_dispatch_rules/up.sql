-- The dispatch catalogue (派单目录): a category, optionally within an area (a unit's subtree,
-- matched by the unit's name in the petition's address), goes to a unit as lead or assist.
CREATE TABLE dispatch_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    area_unit_id BIGINT REFERENCES units (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX dispatch_rules_category ON dispatch_rules (category_id);
