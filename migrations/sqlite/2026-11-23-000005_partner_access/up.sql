-- When the partner's credentials were last issued again: access tokens issued before it are
-- refused, so a leaked secret stops working everywhere at once.
ALTER TABLE partners ADD COLUMN credentials_at TIMESTAMP;
