DELETE FROM events WHERE action = 'moderate';
ALTER TABLE events DROP CONSTRAINT events_action_known;
ALTER TABLE events ADD CONSTRAINT events_action_known CHECK (action IN ('submit', 'accept', 'reject', 'merge', 'answer', 'request_info', 'supplement', 'withdraw', 'dispatch', 'sign', 'request_return', 'approve_return', 'refuse_return', 'dispatch_down', 'progress', 'request_extension', 'approve_extension', 'refuse_extension', 'reply', 'rate', 'visit', 'redo', 'supervise', 'follow_up', 'overdue', 'auto_close', 'mark_unreasonable', 'appeal', 'grant_appeal', 'refuse_appeal', 'mark_typical'));
DROP TABLE moderation_reports;
ALTER TABLE photos DROP COLUMN hidden;
ALTER TABLE petitions DROP COLUMN public_content;
ALTER TABLE petitions DROP COLUMN public_title;
ALTER TABLE petitions DROP COLUMN public_hidden;
