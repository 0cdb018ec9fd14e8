-- Per-day sequence behind tracking numbers (YYYYMMDD-NNNNNN, Asia/Shanghai date).
CREATE TABLE tracking_counters (
    day TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE petitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    urgency TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    address TEXT,
    latitude REAL,
    longitude REAL,
    source TEXT NOT NULL,
    partner_id BIGINT REFERENCES partners (id),
    submitter_id BIGINT NOT NULL REFERENCES users (id),
    contact_name TEXT,
    contact_phone TEXT,
    anonymous BOOLEAN NOT NULL,
    publish_consent BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    -- optimistic concurrency: every transition adds one
    version BIGINT NOT NULL,
    merged_into_id BIGINT REFERENCES petitions (id),
    redo_count INTEGER NOT NULL,
    supervised BOOLEAN NOT NULL,
    reply_by TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX petitions_status ON petitions (status, created_at);
CREATE INDEX petitions_submitter ON petitions (submitter_id, created_at);
CREATE INDEX petitions_created ON petitions (created_at);
CREATE INDEX petitions_category ON petitions (category_id);
CREATE INDEX petitions_public ON petitions (publish_consent, created_at);

-- One per unit an order is dispatched to; dispatching down the tree adds a child.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    role TEXT NOT NULL,
    parent_id BIGINT REFERENCES assignments (id),
    state TEXT NOT NULL,
    open_request TEXT,
    request_reason TEXT,
    request_days INTEGER,
    sign_by TIMESTAMP,
    reply_by TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    signed_at TIMESTAMP,
    replied_at TIMESTAMP,
    returned_at TIMESTAMP
);
CREATE INDEX assignments_petition ON assignments (petition_id);
CREATE INDEX assignments_unit_state ON assignments (unit_id, state);

CREATE TABLE replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    assignment_id BIGINT REFERENCES assignments (id),
    unit_id BIGINT REFERENCES units (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    outcome TEXT NOT NULL,
    public BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX replies_petition ON replies (petition_id);

-- Ratings by the petitioner and follow-up calls (回访) by operators.
CREATE TABLE visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    kind TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users (id),
    satisfaction TEXT NOT NULL,
    resolved BOOLEAN NOT NULL,
    contacted BOOLEAN NOT NULL,
    comment TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX visits_petition ON visits (petition_id);

-- The timeline: one row per step, written in the transaction of the step.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    action TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    actor_role TEXT NOT NULL,
    actor_unit_id BIGINT REFERENCES units (id),
    from_status TEXT,
    to_status TEXT,
    assignment_id BIGINT REFERENCES assignments (id),
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_petition ON events (petition_id, id);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX follow_ups_petition ON follow_ups (petition_id);

-- Who read a petitioner's unmasked contact details, and when.
CREATE TABLE contact_reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX contact_reads_petition ON contact_reads (petition_id);

-- Idempotency-Key of POST /petitions: a retry returns the first petition.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    petition_id BIGINT NOT NULL REFERENCES petitions (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
