DROP INDEX order_ancestors_live;
ALTER TABLE order_ancestors DROP COLUMN live_reply_by, DROP COLUMN live_state;
