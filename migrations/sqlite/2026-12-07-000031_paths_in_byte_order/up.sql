-- On PostgreSQL this makes unit paths compare byte by byte whatever the database's collation.
-- SQLite compares text byte by byte already (BINARY): nothing changes here.
SELECT 1;
