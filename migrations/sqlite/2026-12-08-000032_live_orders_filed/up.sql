-- Each filed order carries its order's state and deadline while the order is live (NULL once it
-- is not), so a unit's inbox reads its first page of work in hand off one index and its history
-- without looking each order up: see the PostgreSQL migration of the same name.
ALTER TABLE order_ancestors ADD COLUMN live_state TEXT;
ALTER TABLE order_ancestors ADD COLUMN live_reply_by TIMESTAMP;
UPDATE order_ancestors
SET live_state = (SELECT a.state FROM assignments a WHERE a.id = order_ancestors.assignment_id),
    live_reply_by = (SELECT a.reply_by FROM assignments a WHERE a.id = order_ancestors.assignment_id)
WHERE assignment_id IN (SELECT id FROM assignments WHERE state IN ('pending', 'handling'));
CREATE INDEX order_ancestors_live
    ON order_ancestors (ancestor_id, live_state DESC, live_reply_by, assignment_id)
    WHERE live_state IS NOT NULL;
