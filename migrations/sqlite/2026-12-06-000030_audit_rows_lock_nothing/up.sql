-- On PostgreSQL this drops the foreign keys of `contact_reads`, which locked the petition's and
-- the reader's rows for every audit row written. SQLite checks a foreign key by a lookup that
-- locks nothing (one writer at a time holds the database anyway), and could drop it only by
-- rebuilding the audit table: its constraints stay, and this migration changes nothing here.
SELECT 1;
