-- Notifications (消息): what an account (or a phone-only petitioner, by SMS) is told, written in
-- the transaction of the change that causes it; the deliveries by SMS and e-mail are an outbox
-- like the webhooks' one; and the one-tap rating links (一事一评).

-- Per-account settings: in-app messages are always on.
ALTER TABLE users ADD COLUMN notify_sms BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN notify_email BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN email_address TEXT;

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL: a petitioner without an account (hotline intake), reached by SMS only
    user_id BIGINT REFERENCES users (id),
    petition_id BIGINT REFERENCES petitions (id),
    event TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- where to act on it in the web app: /r/<token>, /petitions/<id>
    link TEXT,
    -- a reminder sent once only (order.yellow:<assignment>:<user>)
    once_key TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE notification_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id BIGINT NOT NULL REFERENCES notifications (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    -- a phone number or an e-mail address, as it was when the message was written
    address TEXT NOT NULL,
    -- emergencies are sent in the quiet hours too
    urgent BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at);
CREATE INDEX notification_deliveries_notification ON notification_deliveries (notification_id);

-- When the handlers were told that an order's light turned yellow (once per order).
ALTER TABLE assignments ADD COLUMN yellow_sent_at TIMESTAMP;
CREATE INDEX assignments_yellow_due ON assignments (yellow_at) WHERE yellow_sent_at IS NULL;

-- One-tap rating links: only the SHA-256 of the token is kept. Valid while the petition waits
-- for its rating (the auto-close period), once.
CREATE TABLE rating_tokens (
    token_hash TEXT PRIMARY KEY,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX rating_tokens_petition ON rating_tokens (petition_id);
