-- Every column that holds one of the enums of minhu-types (api/types/src/enums.rs) accepts only
-- its names: a value this version does not know is refused when written, never read back as a
-- guess. A unit test (db::known_values) checks these lists against the enums.

ALTER TABLE petitions ADD CONSTRAINT petitions_kind_known CHECK (kind IN ('consultation', 'help', 'complaint', 'report', 'suggestion', 'civility'));
ALTER TABLE petitions ADD CONSTRAINT petitions_urgency_known CHECK (urgency IN ('emergency', 'urgent', 'normal'));
ALTER TABLE petitions ADD CONSTRAINT petitions_source_known CHECK (source IN ('app', 'web', 'phone', 'wechat', 'partner', 'open311'));
ALTER TABLE petitions ADD CONSTRAINT petitions_status_known CHECK (status IN ('submitted', 'needs_info', 'accepted', 'dispatched', 'handling', 'replied', 'closed', 'rejected', 'merged', 'withdrawn'));
ALTER TABLE assignments ADD CONSTRAINT assignments_role_known CHECK (role IN ('lead', 'assist'));
ALTER TABLE assignments ADD CONSTRAINT assignments_state_known CHECK (state IN ('pending', 'handling', 'replied', 'returned'));
ALTER TABLE replies ADD CONSTRAINT replies_outcome_known CHECK (outcome IN ('resolved', 'partially_resolved', 'explained', 'unresolvable'));
ALTER TABLE visits ADD CONSTRAINT visits_kind_known CHECK (kind IN ('rating', 'visit'));
ALTER TABLE visits ADD CONSTRAINT visits_satisfaction_known CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied'));
ALTER TABLE events ADD CONSTRAINT events_action_known CHECK (action IN ('submit', 'accept', 'reject', 'merge', 'answer', 'request_info', 'supplement', 'withdraw', 'dispatch', 'sign', 'request_return', 'approve_return', 'refuse_return', 'dispatch_down', 'progress', 'request_extension', 'approve_extension', 'refuse_extension', 'reply', 'rate', 'visit', 'redo', 'supervise', 'follow_up', 'overdue', 'auto_close', 'mark_unreasonable', 'appeal', 'grant_appeal', 'refuse_appeal', 'mark_typical'));
ALTER TABLE events ADD CONSTRAINT events_actor_role_known CHECK (actor_role IN ('citizen', 'operator', 'handler', 'reporter', 'leader', 'admin', 'partner', 'system'));
ALTER TABLE events ADD CONSTRAINT events_from_status_known CHECK (from_status IN ('submitted', 'needs_info', 'accepted', 'dispatched', 'handling', 'replied', 'closed', 'rejected', 'merged', 'withdrawn'));
ALTER TABLE events ADD CONSTRAINT events_to_status_known CHECK (to_status IN ('submitted', 'needs_info', 'accepted', 'dispatched', 'handling', 'replied', 'closed', 'rejected', 'merged', 'withdrawn'));
ALTER TABLE units ADD CONSTRAINT units_kind_known CHECK (kind IN ('hotline_office', 'district', 'department', 'street', 'town', 'community', 'grid'));
ALTER TABLE users ADD CONSTRAINT users_role_known CHECK (role IN ('citizen', 'operator', 'handler', 'reporter', 'leader', 'admin', 'partner', 'system'));
ALTER TABLE dispatch_rules ADD CONSTRAINT dispatch_rules_role_known CHECK (role IN ('lead', 'assist'));
ALTER TABLE deadline_policies ADD CONSTRAINT deadline_policies_sign_unit_known CHECK (sign_unit IN ('minutes', 'hours', 'days', 'working_days'));
ALTER TABLE deadline_policies ADD CONSTRAINT deadline_policies_reply_unit_known CHECK (reply_unit IN ('minutes', 'hours', 'days', 'working_days'));
ALTER TABLE deadline_policies ADD CONSTRAINT deadline_policies_visit_unit_known CHECK (visit_unit IN ('minutes', 'hours', 'days', 'working_days'));
ALTER TABLE deadline_policies ADD CONSTRAINT deadline_policies_urgency_known CHECK (urgency IN ('emergency', 'urgent', 'normal'));
ALTER TABLE deadline_policies ADD CONSTRAINT deadline_policies_kind_known CHECK (kind IN ('consultation', 'help', 'complaint', 'report', 'suggestion', 'civility'));
ALTER TABLE contact_reads ADD CONSTRAINT contact_reads_role_known CHECK (role IN ('citizen', 'operator', 'handler', 'reporter', 'leader', 'admin', 'partner', 'system'));
