-- A unit's inbox reads its subtree's live orders whole, to count them and to sort them by state
-- and deadline (`db::petitions::inbox`). With the state in the live-orders index they are read
-- from the index alone, without a visit to each order's row: on SQLite a district with 2,118
-- live orders went from 3.4 to 1.1 ms a page. The condition stays `db::petitions::LIVE_IN`.
DROP INDEX assignments_live_by_unit;
CREATE INDEX assignments_live_by_unit ON assignments (unit_path, reply_by, state) WHERE state IN ('pending', 'handling');
