-- Petitions by time of creation in the order every list reads them: newest first, ties by id.
-- On `created_at` alone the index held the time but not the order, and PostgreSQL costs a
-- two-column index's heap reads higher than a one-column one's: asked for the public petitions
-- of a date range ending now (Open311 polled for what is new), it chose this index over the
-- feed's own (`petitions_in_feed_created`, created_at and id) and passed over every petition in
-- the range that is not public — after a burst of submissions not yet accepted, all of them, for
-- every page. With the id in both, the feed's index, which holds only what the feed shows, is
-- the cheaper of the two, and lists by time need no sort of equal times.
DROP INDEX petitions_created;
CREATE INDEX petitions_created ON petitions (created_at, id);
