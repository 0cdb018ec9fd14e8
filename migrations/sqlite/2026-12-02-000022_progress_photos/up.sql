-- Photos of the work on a unit's progress notes (办理进展), as on its replies.
ALTER TABLE photos ADD COLUMN event_id BIGINT REFERENCES events (id);
