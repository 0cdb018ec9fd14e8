-- Figures per unit and Asia/Shanghai day, kept current in the transaction of each action
-- (the difference of a petition's contributions before and after it), so a ranking or a
-- briefing reads one row per unit and day however long the history is. `minhu
-- rebuild-figures` recomputes them from the petitions, assignments, replies and visits.
-- (INTEGER counters: PostgreSQL sums int4 in int8, much faster than bigint's numeric.)
CREATE TABLE unit_day_figures (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    day TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    signed INTEGER NOT NULL DEFAULT 0,
    signed_on_time INTEGER NOT NULL DEFAULT 0,
    sign_seconds BIGINT NOT NULL DEFAULT 0,
    due INTEGER NOT NULL DEFAULT 0,
    completed_on_time INTEGER NOT NULL DEFAULT 0,
    replied INTEGER NOT NULL DEFAULT 0,
    reply_seconds BIGINT NOT NULL DEFAULT 0,
    visits INTEGER NOT NULL DEFAULT 0,
    contacted INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    satisfied INTEGER NOT NULL DEFAULT 0,
    basically_satisfied INTEGER NOT NULL DEFAULT 0,
    redo INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day)
);
-- The same counters summed over all units, per day (the city's totals).
CREATE TABLE day_figures (
    day TEXT PRIMARY KEY,
    received INTEGER NOT NULL DEFAULT 0,
    signed INTEGER NOT NULL DEFAULT 0,
    signed_on_time INTEGER NOT NULL DEFAULT 0,
    sign_seconds BIGINT NOT NULL DEFAULT 0,
    due INTEGER NOT NULL DEFAULT 0,
    completed_on_time INTEGER NOT NULL DEFAULT 0,
    replied INTEGER NOT NULL DEFAULT 0,
    reply_seconds BIGINT NOT NULL DEFAULT 0,
    visits INTEGER NOT NULL DEFAULT 0,
    contacted INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    satisfied INTEGER NOT NULL DEFAULT 0,
    basically_satisfied INTEGER NOT NULL DEFAULT 0,
    redo INTEGER NOT NULL DEFAULT 0
);

-- Rollups by month (YYYY-MM): a period's full months are read from here, its edge days from
-- the daily tables, so a monthly ranking reads one row per unit.
CREATE TABLE unit_month_figures (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    month TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    signed INTEGER NOT NULL DEFAULT 0,
    signed_on_time INTEGER NOT NULL DEFAULT 0,
    sign_seconds BIGINT NOT NULL DEFAULT 0,
    due INTEGER NOT NULL DEFAULT 0,
    completed_on_time INTEGER NOT NULL DEFAULT 0,
    replied INTEGER NOT NULL DEFAULT 0,
    reply_seconds BIGINT NOT NULL DEFAULT 0,
    visits INTEGER NOT NULL DEFAULT 0,
    contacted INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    satisfied INTEGER NOT NULL DEFAULT 0,
    basically_satisfied INTEGER NOT NULL DEFAULT 0,
    redo INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, month)
);
CREATE INDEX unit_month_figures_month ON unit_month_figures (month);
CREATE INDEX unit_day_figures_day ON unit_day_figures (day);

-- Petitions by the day they were submitted and their current status, kind, category and
-- channel: the overview and the briefing count from here.
CREATE TABLE petition_day_counts (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, kind, category_id, source, status)
);
CREATE TABLE petition_month_counts (
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, kind, category_id, source, status)
);

-- Timeline events per day and action (submitted, accepted, dispatched, replied, closed …),
-- for briefings.
CREATE TABLE day_action_counts (
    day TEXT NOT NULL,
    action TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, action)
);

-- Scoring settings (weights, minimum sample, cut-off day) as one JSON document.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Marks that leave an order out of scoring, and reporters' typical cases for briefings.
ALTER TABLE petitions ADD COLUMN unreasonable BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE petitions ADD COLUMN appeal_state TEXT;
ALTER TABLE petitions ADD COLUMN appeal_reason TEXT;
ALTER TABLE petitions ADD COLUMN typical_at TIMESTAMP;
CREATE INDEX petitions_typical ON petitions (typical_at);
CREATE INDEX events_created ON events (created_at, action);
