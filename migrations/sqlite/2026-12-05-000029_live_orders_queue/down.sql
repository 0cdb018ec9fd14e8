DROP INDEX assignments_live_queue;
