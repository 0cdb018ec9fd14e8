DROP INDEX assignments_inbox;
DROP INDEX petitions_public_id;
