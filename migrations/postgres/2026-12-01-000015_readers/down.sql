DROP INDEX petitions_public_supporters;
DROP TABLE petition_followers;
DROP TABLE petition_supporters;
ALTER TABLE petitions DROP COLUMN supporters;
