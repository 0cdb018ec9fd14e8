-- Tracking numbers (YYYYMMDD-NNNNNN) drawn from a sequence instead of a row per day: every
-- submission of a day updated that day's `tracking_counters` row, one at a time (in a
-- transaction of its own, four round trips, with the next submission waiting on its lock).
-- Now a day's number is `nextval('tracking_numbers') - base`, where `base` is the sequence's
-- value when the day's first number was drawn (`db::petitions::next_tracking_no`): one
-- statement, no lock, unique and in order of drawing within the day; a failed submission or a
-- draw for another day leaves a gap, as before. Days already counted continue after their
-- last number (base = -last). `tracking_counters` stays for SQLite, which draws inside the
-- submission's transaction (one writer at a time).
CREATE SEQUENCE tracking_numbers;
CREATE TABLE tracking_days (
    day TEXT PRIMARY KEY,
    base BIGINT NOT NULL
);
INSERT INTO tracking_days (day, base) SELECT day, -last FROM tracking_counters;
