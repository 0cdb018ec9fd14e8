DROP TABLE petition_search;
DROP INDEX contact_reads_created_at;
DROP INDEX contact_reads_user;
ALTER TABLE contact_reads DROP COLUMN via;
DROP TABLE revoked_tokens;
ALTER TABLE users DROP COLUMN token_epoch;
