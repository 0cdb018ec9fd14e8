DROP INDEX petitions_created;
CREATE INDEX petitions_created ON petitions (created_at);
