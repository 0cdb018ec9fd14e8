-- Lists filtered by a value history seldom holds read that value's rows in the list's order,
-- not every petition newest first passing over the rest. Without these, at a million petitions:
-- officials' petitions by a status few (or none) have 300 ms a page, by urgency 110 ms, a
-- district's by status 300–500 ms, the hotline office's approvals (orders with an open request)
-- 95 ms, Open311 requests of a service code the feed seldom shows 250 ms. A prepared statement's
-- generic plan takes every status to be as common as the average, so an index on the status
-- alone (or on the status and the time) was passed over for the primary key walked backwards.
CREATE INDEX petitions_status_id ON petitions (status, id);
CREATE INDEX petitions_urgency ON petitions (urgency, id);
-- Few orders have an open request at a time: a small index.
CREATE INDEX assignments_open_request ON assignments (open_request, id) WHERE open_request IS NOT NULL;
-- The feed (and Open311) of one category, newest first; the condition is the feed's own
-- (`db::petitions::IN_FEED`), as in migration 000024.
CREATE INDEX petitions_in_feed_category ON petitions (category_id, created_at, id)
  WHERE publish_consent AND NOT public_hidden AND status NOT IN ('submitted', 'needs_info', 'rejected', 'withdrawn');
