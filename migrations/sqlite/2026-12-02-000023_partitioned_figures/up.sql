-- The figure tables are partitioned on PostgreSQL only (see the PostgreSQL migration of this
-- name); SQLite keeps plain tables.
SELECT 1;
