CREATE INDEX petitions_public ON petitions (publish_consent, created_at);
CREATE INDEX petitions_public_id ON petitions (publish_consent, id);
CREATE INDEX petitions_public_supporters ON petitions (publish_consent, supporters, id);
DROP INDEX petitions_in_feed;
DROP INDEX petitions_in_feed_created;
DROP INDEX petitions_in_feed_supporters;
