-- Moderation (issue 18): reporters and administrators decide what the public sees of a
-- petition — hide it, or give a public version of its title and content (the original stays for
-- officials), hide single photos — each decision an event `moderate` on the timeline; readers
-- report public items (举报) into the editors' queue.
ALTER TABLE petitions ADD COLUMN public_hidden BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE petitions ADD COLUMN public_title TEXT;
ALTER TABLE petitions ADD COLUMN public_content TEXT;
ALTER TABLE photos ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT 0;
CREATE TABLE moderation_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    reporter_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- when a moderation decision on the petition followed
    resolved_at TIMESTAMP
);
CREATE INDEX moderation_reports_queue ON moderation_reports (resolved_at, id);
CREATE INDEX moderation_reports_petition ON moderation_reports (petition_id);
-- The new action on the timeline.
DROP TRIGGER events_action_known_insert;
DROP TRIGGER events_action_known_update;
CREATE TRIGGER events_action_known_insert BEFORE INSERT ON events WHEN NEW.action NOT IN ('submit', 'accept', 'reject', 'merge', 'answer', 'request_info', 'supplement', 'withdraw', 'dispatch', 'sign', 'request_return', 'approve_return', 'refuse_return', 'dispatch_down', 'progress', 'request_extension', 'approve_extension', 'refuse_extension', 'reply', 'rate', 'visit', 'redo', 'supervise', 'follow_up', 'overdue', 'auto_close', 'mark_unreasonable', 'appeal', 'grant_appeal', 'refuse_appeal', 'mark_typical', 'moderate') BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: events_action_known'); END;
CREATE TRIGGER events_action_known_update BEFORE UPDATE OF action ON events WHEN NEW.action NOT IN ('submit', 'accept', 'reject', 'merge', 'answer', 'request_info', 'supplement', 'withdraw', 'dispatch', 'sign', 'request_return', 'approve_return', 'refuse_return', 'dispatch_down', 'progress', 'request_extension', 'approve_extension', 'refuse_extension', 'reply', 'rate', 'visit', 'redo', 'supervise', 'follow_up', 'overdue', 'auto_close', 'mark_unreasonable', 'appeal', 'grant_appeal', 'refuse_appeal', 'mark_typical', 'moderate') BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: events_action_known'); END;
