-- Units of the handling tree. `path` lists the ids from the root down to the unit itself
-- ('/1/4/9/'), so a unit's subtree is one indexed prefix match.
CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES units (id),
    path TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX units_parent_id ON units (parent_id);
CREATE INDEX units_path ON units (path);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- stored lower-case: usernames are case-insensitive
    username TEXT NOT NULL UNIQUE,
    -- argon2id PHC string; '!' for accounts that cannot log in with a password (partners)
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    phone TEXT,
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_unit_id ON users (unit_id);
CREATE INDEX users_role ON users (role);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES categories (id),
    code TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX categories_parent_id ON categories (parent_id);

-- API clients. Each has a users row (role 'partner') that owns what it submits.
CREATE TABLE partners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id),
    client_id TEXT NOT NULL UNIQUE,
    -- SHA-256 (hex) of the secrets, which are shown once and never stored
    client_secret_hash TEXT NOT NULL,
    api_key_hash TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
