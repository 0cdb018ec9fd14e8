-- An audit row of an unmasked read (`contact_reads`) names the petition and the reader by id
-- and holds neither row. As foreign keys, every audit row locked both (FOR KEY SHARE): twenty
-- a page of the hotline office's inbox, every reader of the same account or petition sharing
-- the lock with the others (a multixact, written to the row), and a read waited for any
-- transaction holding the petition or the account FOR UPDATE. The ids come from the petition
-- just read and the signed-in account, and petitions and accounts are never deleted. (SQLite
-- checks a foreign key by a lookup that locks nothing, and drops one only by rebuilding the
-- table: its constraints stay.) Dropping a foreign key locks the tables it refers to for a
-- moment, after the transactions open on them: run this at a quiet moment.
ALTER TABLE contact_reads
    DROP CONSTRAINT contact_reads_petition_id_fkey,
    DROP CONSTRAINT contact_reads_user_id_fkey;
