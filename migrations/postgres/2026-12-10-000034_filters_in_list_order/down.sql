DROP INDEX petitions_in_feed_category;
DROP INDEX assignments_open_request;
DROP INDEX petitions_urgency;
DROP INDEX petitions_status_id;
