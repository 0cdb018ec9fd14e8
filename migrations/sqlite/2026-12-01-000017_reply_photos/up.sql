-- Evidence on replies (issue 18): a handling unit's photos of its work (before and after) belong
-- to its reply; petition photos are those without one.
ALTER TABLE photos ADD COLUMN reply_id BIGINT REFERENCES replies (id);
CREATE INDEX photos_reply ON photos (reply_id);
