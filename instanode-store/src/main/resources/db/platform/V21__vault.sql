-- A team's secrets, per env and key, every version kept. Values are AES-256-GCM sealed (the
-- connection_url format); a deleted key keeps its rows, marked, so versions are never reused.
CREATE TABLE vault_secrets (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id         uuid        NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  env             text        NOT NULL,
  key             text        NOT NULL CHECK (key ~ '^[A-Z_][A-Z0-9_]{0,127}$'),
  version         integer     NOT NULL CHECK (version > 0),
  value_encrypted text        NOT NULL,
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz,
  UNIQUE (team_id, env, key, version)
);
CREATE INDEX vault_secrets_live ON vault_secrets (team_id, env, key) WHERE deleted_at IS NULL;
