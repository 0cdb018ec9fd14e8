-- Each filed order (`order_ancestors`) carries its order's state and deadline while the order is
-- live (`lifecycle::LIVE_ORDERS`; NULL once it is not), so a unit's inbox reads its first page
-- of work in hand off one index, in the inbox's order (to sign, then in handling, earliest
-- deadline first), and stops after the page's counting window: through the orders' path range
-- it read and sorted every live order of the subtree for every page (480 for a district at a
-- million petitions: 5,800 of those statements a second on this machine, 32,000 this way). Its
-- history is the filed orders whose copy is NULL, without looking each order up (2.7 times as
-- many a second). Kept by `db::petitions::insert_assignment`, `update_assignment` and
-- `db::units::reparent`; the integration tests check every copy against its order after each
-- test that runs on both databases (`both!`).
-- Only the live orders are filled in here (31,195 rows at a million petitions: 0.9 s in all).
ALTER TABLE order_ancestors
    ADD COLUMN live_state TEXT COLLATE "C",
    ADD COLUMN live_reply_by TIMESTAMP;
UPDATE order_ancestors o SET live_state = a.state, live_reply_by = a.reply_by
FROM assignments a
WHERE a.id = o.assignment_id AND a.state IN ('pending', 'handling');
CREATE INDEX order_ancestors_live
    ON order_ancestors (ancestor_id, live_state DESC, live_reply_by, assignment_id)
    WHERE live_state IS NOT NULL;
