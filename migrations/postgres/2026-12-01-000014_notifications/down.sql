DROP INDEX assignments_yellow_due;
ALTER TABLE assignments DROP COLUMN yellow_sent_at;
DROP TABLE rating_tokens;
DROP TABLE notification_deliveries;
DROP TABLE notifications;
ALTER TABLE users DROP COLUMN email_address;
ALTER TABLE users DROP COLUMN notify_email;
ALTER TABLE users DROP COLUMN notify_sms;
