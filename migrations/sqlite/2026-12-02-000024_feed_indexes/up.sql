-- The public feed and Open311 read what is in the public feed (`domain::privacy::in_public_feed`:
-- published, not hidden, past triage) newest first, or most supported first. Indexes over
-- every published petition made a page skip whatever waits for triage at the newest end (a
-- crisis day's submissions: 8 ms a page past 19,000 of them at 100,000 petitions). These hold
-- only what the feed shows, in each order it is read in; their condition is the query's own
-- (`db::petitions::IN_FEED`, kept equal by a unit test), so both databases use them.
CREATE INDEX petitions_in_feed ON petitions (id)
  WHERE publish_consent AND NOT public_hidden AND status NOT IN ('submitted', 'needs_info', 'rejected', 'withdrawn');
CREATE INDEX petitions_in_feed_created ON petitions (created_at, id)
  WHERE publish_consent AND NOT public_hidden AND status NOT IN ('submitted', 'needs_info', 'rejected', 'withdrawn');
CREATE INDEX petitions_in_feed_supporters ON petitions (supporters, id)
  WHERE publish_consent AND NOT public_hidden AND status NOT IN ('submitted', 'needs_info', 'rejected', 'withdrawn');
DROP INDEX petitions_public;
DROP INDEX petitions_public_id;
DROP INDEX petitions_public_supporters;
