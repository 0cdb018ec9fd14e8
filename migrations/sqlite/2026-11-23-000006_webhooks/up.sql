-- Partners' callback URLs and the events each wants. The signing secret is kept in the clear:
-- the server must sign with it (it is shown to the partner once, at registration).
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    url TEXT NOT NULL,
    -- event names separated by commas, e.g. 'petition.accepted,petition.replied'
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_partner ON webhooks (partner_id);

-- The outbox: one row per event and webhook, written in the transaction of the change it
-- reports, delivered (and retried) by the server afterwards.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id),
    event_id BIGINT NOT NULL REFERENCES events (id),
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- pending, delivered, failed (gave up)
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
