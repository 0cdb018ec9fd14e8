DROP INDEX events_created;
DROP INDEX petitions_typical;
ALTER TABLE petitions DROP COLUMN typical_at;
ALTER TABLE petitions DROP COLUMN appeal_reason;
ALTER TABLE petitions DROP COLUMN appeal_state;
ALTER TABLE petitions DROP COLUMN unreasonable;
DROP TABLE settings;
DROP TABLE petition_day_counts;
DROP TABLE unit_day_figures;
