ALTER TABLE photos DROP COLUMN event_id;
