-- The inbox no longer reads orders by state descending: the live ones come from
-- assignments_reply_by (state, reply_by), the rest newest first by key.
DROP INDEX assignments_inbox;
