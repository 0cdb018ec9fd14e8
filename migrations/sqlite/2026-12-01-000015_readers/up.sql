-- Readers (issue 18): 我也遇到 — one support per account and petition, with the count kept on
-- the petition (read by every feed page; never counted per read) — and follows.
ALTER TABLE petitions ADD COLUMN supporters BIGINT NOT NULL DEFAULT 0;
CREATE TABLE petition_supporters (
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (petition_id, user_id)
);
CREATE TABLE petition_followers (
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (petition_id, user_id)
);
CREATE INDEX petition_followers_user ON petition_followers (user_id);
-- The feed sorted by support: read off the index in order, as the newest-first feed is.
CREATE INDEX petitions_public_supporters ON petitions (publish_consent, supporters, id);
