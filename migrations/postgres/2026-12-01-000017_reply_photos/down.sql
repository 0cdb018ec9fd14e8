DROP INDEX photos_reply;
ALTER TABLE photos DROP COLUMN reply_id;
