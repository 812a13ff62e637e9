-- What an API key may do (read: GET and HEAD only; write: everything), and the first characters
-- of the key as it was shown once, so an owner can tell keys apart in a list. Keys made before
-- this have both scopes and no prefix.
ALTER TABLE api_keys
  ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write}'
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write']::text[]),
  ADD COLUMN key_prefix text CHECK (key_prefix IS NULL OR length(key_prefix) <= 16);
