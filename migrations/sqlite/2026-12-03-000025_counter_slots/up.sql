-- The counts' slots (see the PostgreSQL migration of the same name): the same columns and keys
-- here, so one schema serves both; SQLite has one writer at a time and writes slot 0 only.
CREATE TABLE petition_day_counts_slotted (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    slot SMALLINT NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 15),
    PRIMARY KEY (day, kind, category_id, source, status, slot)
);
INSERT INTO petition_day_counts_slotted (day, kind, category_id, source, status, n)
  SELECT day, kind, category_id, source, status, n FROM petition_day_counts;
DROP TABLE petition_day_counts;
ALTER TABLE petition_day_counts_slotted RENAME TO petition_day_counts;

CREATE TABLE petition_month_counts_slotted (
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    slot SMALLINT NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 15),
    PRIMARY KEY (month, kind, category_id, source, status, slot)
);
INSERT INTO petition_month_counts_slotted (month, kind, category_id, source, status, n)
  SELECT month, kind, category_id, source, status, n FROM petition_month_counts;
DROP TABLE petition_month_counts;
ALTER TABLE petition_month_counts_slotted RENAME TO petition_month_counts;

CREATE TABLE day_action_counts_slotted (
    day TEXT NOT NULL,
    action TEXT NOT NULL,
    n BIGINT NOT NULL,
    slot SMALLINT NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 15),
    PRIMARY KEY (day, action, slot)
);
INSERT INTO day_action_counts_slotted (day, action, n) SELECT day, action, n FROM day_action_counts;
DROP TABLE day_action_counts;
ALTER TABLE day_action_counts_slotted RENAME TO day_action_counts;
