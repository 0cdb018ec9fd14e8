-- One row per key again, the slots added up.
CREATE TABLE petition_day_counts_plain (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, kind, category_id, source, status)
);
INSERT INTO petition_day_counts_plain
  SELECT day, kind, category_id, source, status, sum(n) FROM petition_day_counts
  GROUP BY day, kind, category_id, source, status;
DROP TABLE petition_day_counts;
ALTER TABLE petition_day_counts_plain RENAME TO petition_day_counts;

CREATE TABLE petition_month_counts_plain (
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, kind, category_id, source, status)
);
INSERT INTO petition_month_counts_plain
  SELECT month, kind, category_id, source, status, sum(n) FROM petition_month_counts
  GROUP BY month, kind, category_id, source, status;
DROP TABLE petition_month_counts;
ALTER TABLE petition_month_counts_plain RENAME TO petition_month_counts;

CREATE TABLE day_action_counts_plain (
    day TEXT NOT NULL,
    action TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, action)
);
INSERT INTO day_action_counts_plain SELECT day, action, sum(n) FROM day_action_counts GROUP BY day, action;
DROP TABLE day_action_counts;
ALTER TABLE day_action_counts_plain RENAME TO day_action_counts;
