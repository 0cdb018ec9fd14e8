CREATE INDEX assignments_inbox ON assignments (state DESC, reply_by, id);
