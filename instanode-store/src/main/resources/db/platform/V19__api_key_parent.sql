-- The key a key was minted with, if any: revoking a key revokes every key minted from it, and a
-- key never outlives the one that made it.
ALTER TABLE api_keys ADD COLUMN parent_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL;
CREATE INDEX api_keys_parent ON api_keys (parent_key_id) WHERE parent_key_id IS NOT NULL;
