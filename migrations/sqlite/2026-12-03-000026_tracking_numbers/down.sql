-- Tracking numbers come from a sequence on PostgreSQL only (see the PostgreSQL migration of
-- this name); SQLite, one writer at a time, keeps its counter row per day.
SELECT 1;
