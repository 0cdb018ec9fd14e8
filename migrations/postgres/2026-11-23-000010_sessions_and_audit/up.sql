-- Sessions: a token is good only while its account's epoch is the one it was issued under
-- (`POST /auth/logout {"all": true}` moves it on), and unless its id was revoked by a logout.
ALTER TABLE users ADD COLUMN token_epoch BIGINT NOT NULL DEFAULT 0;
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- when the token would have expired anyway: the row can go after that
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);

-- The audit log of unmasked reads says through which view the details were shown, and is
-- read by user and by time.
ALTER TABLE contact_reads ADD COLUMN via TEXT NOT NULL DEFAULT 'detail';
CREATE INDEX contact_reads_user ON contact_reads (user_id, id);
CREATE INDEX contact_reads_created_at ON contact_reads (created_at);

-- What a search may match for those who see petitions masked: title and content as they are
-- shown to them (phone numbers, ID numbers, e-mail addresses masked), so a search cannot confirm
-- what the page hides. Written with the text; the server fills it for older petitions after
-- migrating.
CREATE TABLE petition_search (
    petition_id BIGINT PRIMARY KEY REFERENCES petitions (id),
    masked TEXT NOT NULL
);
