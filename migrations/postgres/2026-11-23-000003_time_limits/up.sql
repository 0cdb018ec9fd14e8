-- Time limits (限时办理): policies keyed by urgency, kind and category (most specific wins).
CREATE TABLE deadline_policies (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    urgency TEXT,
    kind TEXT,
    category_id BIGINT REFERENCES categories (id),
    sign_amount INTEGER NOT NULL,
    sign_unit TEXT NOT NULL,
    reply_amount INTEGER NOT NULL,
    reply_unit TEXT NOT NULL,
    visit_amount INTEGER,
    visit_unit TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO deadline_policies (name, urgency, kind, category_id, sign_amount, sign_unit, reply_amount, reply_unit, visit_amount, visit_unit, created_at, updated_at) VALUES
    ('紧急诉求', 'emergency', NULL, NULL, 30, 'minutes', 2, 'hours', NULL, NULL, TIMESTAMP '2026-11-23 00:00:00', TIMESTAMP '2026-11-23 00:00:00'),
    ('复杂诉求（举报，需调查核实）', NULL, 'report', NULL, 1, 'working_days', 15, 'days', NULL, NULL, TIMESTAMP '2026-11-23 00:00:00', TIMESTAMP '2026-11-23 00:00:00'),
    ('一般诉求', NULL, NULL, NULL, 1, 'working_days', 7, 'days', NULL, NULL, TIMESTAMP '2026-11-23 00:00:00', TIMESTAMP '2026-11-23 00:00:00');

-- The working-day calendar: only the days that differ from Monday-to-Friday.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    working BOOLEAN NOT NULL,
    name TEXT NOT NULL
);
INSERT INTO calendar_days (day, working, name) VALUES
    ('2026-01-01', FALSE, '元旦'),
    ('2026-01-02', FALSE, '元旦'),
    ('2026-01-03', FALSE, '元旦'),
    ('2026-01-04', TRUE, '元旦调休上班'),
    ('2026-02-15', FALSE, '春节'),
    ('2026-02-16', FALSE, '春节'),
    ('2026-02-17', FALSE, '春节'),
    ('2026-02-18', FALSE, '春节'),
    ('2026-02-19', FALSE, '春节'),
    ('2026-02-20', FALSE, '春节'),
    ('2026-02-21', FALSE, '春节'),
    ('2026-02-22', FALSE, '春节'),
    ('2026-02-23', FALSE, '春节'),
    ('2026-02-14', TRUE, '春节调休上班'),
    ('2026-02-28', TRUE, '春节调休上班'),
    ('2026-04-04', FALSE, '清明节'),
    ('2026-04-05', FALSE, '清明节'),
    ('2026-04-06', FALSE, '清明节'),
    ('2026-05-01', FALSE, '劳动节'),
    ('2026-05-02', FALSE, '劳动节'),
    ('2026-05-03', FALSE, '劳动节'),
    ('2026-05-04', FALSE, '劳动节'),
    ('2026-05-05', FALSE, '劳动节'),
    ('2026-05-09', TRUE, '劳动节调休上班'),
    ('2026-06-19', FALSE, '端午节'),
    ('2026-06-20', FALSE, '端午节'),
    ('2026-06-21', FALSE, '端午节'),
    ('2026-09-25', FALSE, '中秋节'),
    ('2026-09-26', FALSE, '中秋节'),
    ('2026-09-27', FALSE, '中秋节'),
    ('2026-10-01', FALSE, '国庆节'),
    ('2026-10-02', FALSE, '国庆节'),
    ('2026-10-03', FALSE, '国庆节'),
    ('2026-10-04', FALSE, '国庆节'),
    ('2026-10-05', FALSE, '国庆节'),
    ('2026-10-06', FALSE, '国庆节'),
    ('2026-10-07', FALSE, '国庆节'),
    ('2026-09-20', TRUE, '国庆节调休上班'),
    ('2026-10-10', TRUE, '国庆节调休上班'),
    ('2027-01-01', FALSE, '元旦（预排，以国务院公布为准）'),
    ('2027-02-05', FALSE, '春节（预排，以国务院公布为准）'),
    ('2027-02-06', FALSE, '春节（预排，以国务院公布为准）'),
    ('2027-02-07', FALSE, '春节（预排，以国务院公布为准）'),
    ('2027-02-08', FALSE, '春节（预排，以国务院公布为准）'),
    ('2027-04-05', FALSE, '清明节（预排，以国务院公布为准）'),
    ('2027-05-01', FALSE, '劳动节（预排，以国务院公布为准）'),
    ('2027-05-02', FALSE, '劳动节（预排，以国务院公布为准）'),
    ('2027-06-09', FALSE, '端午节（预排，以国务院公布为准）'),
    ('2027-09-15', FALSE, '中秋节（预排，以国务院公布为准）'),
    ('2027-10-01', FALSE, '国庆节（预排，以国务院公布为准）'),
    ('2027-10-02', FALSE, '国庆节（预排，以国务院公布为准）'),
    ('2027-10-03', FALSE, '国庆节（预排，以国务院公布为准）');

-- When each light turns yellow, worked out at dispatch (so lights filter in SQL), and whether
-- units signed and replied on time.
ALTER TABLE assignments ADD COLUMN yellow_at TIMESTAMP;
ALTER TABLE assignments ADD COLUMN signed_on_time BOOLEAN;
ALTER TABLE assignments ADD COLUMN replied_on_time BOOLEAN;
ALTER TABLE assignments ADD COLUMN overdue_at TIMESTAMP;
CREATE INDEX assignments_reply_by ON assignments (state, reply_by);
ALTER TABLE petitions ADD COLUMN yellow_at TIMESTAMP;
-- Closed by the job after the rating period passed without a rating: no valid visit.
ALTER TABLE petitions ADD COLUMN auto_closed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX petitions_reply_by ON petitions (status, reply_by);

-- The account the platform's own jobs act as (it cannot log in).
INSERT INTO users (username, password_hash, display_name, phone, role, unit_id, active, created_at, updated_at)
VALUES ('system', '!', '系统', NULL, 'system', NULL, FALSE, TIMESTAMP '2026-11-23 00:00:00', TIMESTAMP '2026-11-23 00:00:00');
