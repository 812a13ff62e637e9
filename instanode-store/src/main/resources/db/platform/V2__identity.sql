-- API keys: only the SHA-256 of a key is stored; the key itself is shown once.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id      uuid        NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id      uuid        REFERENCES users(id) ON DELETE SET NULL,
  name         text        NOT NULL,
  key_hash     text        NOT NULL UNIQUE CHECK (length(key_hash) = 64),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_keys_team ON api_keys (team_id);
