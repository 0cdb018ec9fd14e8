-- Limits every replica shares (used on PostgreSQL; the embedded SQLite default is one process
-- and keeps them in memory): failed sign-ins over a sliding minute, one row each, and each
-- partner's requests as a token bucket, one row each.
CREATE TABLE limit_hits (
    id BIGSERIAL PRIMARY KEY,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX limit_hits_key ON limit_hits (scope, key, at);

CREATE TABLE rate_buckets (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    tokens DOUBLE PRECISION NOT NULL,
    at TIMESTAMP NOT NULL,
    -- whether the last request taken from it was allowed
    allowed BOOLEAN NOT NULL,
    PRIMARY KEY (scope, key)
);
