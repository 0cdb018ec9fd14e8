-- A caller's history (GET /api/v1/callers/{phone}/petitions): petitions by contact phone,
-- newest first, and accounts by phone.
CREATE INDEX petitions_contact_phone ON petitions (contact_phone, id);
CREATE INDEX users_phone ON users (phone);
