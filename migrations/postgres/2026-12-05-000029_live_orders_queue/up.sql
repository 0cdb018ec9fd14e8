-- The hotline office's inbox is every live order of the city, to sign first, then in handling,
-- earliest deadline first (`db::petitions::inbox`). Read through the live orders by unit it
-- sorted them all for every page (197 pages a second at a million petitions, falling as the
-- live orders grow); in this order a page reads its rows and its counting window and stops.
-- 'pending' sorts after 'handling', so the state descending puts the orders to sign first.
-- The condition stays `db::petitions::LIVE_IN`.
CREATE INDEX assignments_live_queue ON assignments (state DESC, reply_by, id) WHERE state IN ('pending', 'handling');
