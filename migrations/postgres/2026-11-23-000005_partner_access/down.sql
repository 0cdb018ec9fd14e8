ALTER TABLE partners DROP COLUMN credentials_at;
