-- Likely repeats (并单): each open petition's text sketch (its 32 character bigrams with the
-- smallest hashes), looked up by category and hash, newest petition first. Kept in step by the
-- actions that open and end petitions; `minhu reindex` rebuilds it.
CREATE TABLE petition_terms (
    category_id BIGINT NOT NULL,
    term INTEGER NOT NULL,
    petition_id BIGINT NOT NULL,
    PRIMARY KEY (category_id, term, petition_id)
);

-- Photos of petitions: the bytes live in the photo store (a directory or S3) under these keys.
CREATE TABLE photos (
    id BIGSERIAL PRIMARY KEY,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    uploader_id BIGINT NOT NULL REFERENCES users (id),
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    object_key TEXT NOT NULL UNIQUE,
    thumb_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX photos_petition ON photos (petition_id);
