-- The public feed (and Open311 lists) read published petitions newest first: with the id in
-- the index after `publish_consent`, a page is read off the index in order instead of sorting
-- every published petition (SQLite chose `petitions_public` and sorted all of them).
CREATE INDEX petitions_public_id ON petitions (publish_consent, id);
-- A unit's inbox lists its subtree's orders by state (descending), then deadline, then id:
-- an index in that very order lets PostgreSQL read a page off it instead of sorting.
CREATE INDEX assignments_inbox ON assignments (state DESC, reply_by, id);
