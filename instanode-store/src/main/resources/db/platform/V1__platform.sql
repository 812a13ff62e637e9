-- Platform schema. Customer infrastructure never lives here: this database only records it.

CREATE TABLE teams (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text        NOT NULL,
  plan_tier   text        NOT NULL DEFAULT 'free'
              CHECK (plan_tier IN ('anonymous','free','hobby','hobby_plus','pro','growth','team')),
  status      text        NOT NULL DEFAULT 'active'
              CHECK (status IN ('active','deletion_requested','deletion_pending','tombstoned')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id        uuid        NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  email          text        NOT NULL,
  role           text        NOT NULL DEFAULT 'owner'
                 CHECK (role IN ('owner','admin','developer','viewer','member')),
  is_primary     boolean     NOT NULL DEFAULT false,
  email_verified boolean     NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE UNIQUE INDEX users_one_primary_per_team ON users (team_id) WHERE is_primary;

CREATE TABLE resources (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The public credential. Never equal to id: callers never learn the internal key's role.
  token                uuid        NOT NULL UNIQUE,
  team_id              uuid        REFERENCES teams(id) ON DELETE SET NULL,
  resource_type        text        NOT NULL
                       CHECK (resource_type IN ('postgres','redis','queue','webhook','storage','mongodb','vector')),
  name                 text        NOT NULL,
  env                  text        NOT NULL DEFAULT 'development',
  tier                 text        NOT NULL DEFAULT 'anonymous'
                       CHECK (tier IN ('anonymous','free','hobby','hobby_plus','pro','growth','team')),
  status               text        NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending','active','paused','suspended','failed','expired','deleted')),
  fingerprint          text,
  -- AES-256-GCM, base64url(nonce || ciphertext || tag). Never stored in clear.
  connection_url       text,
  provider_resource_id text,
  key_prefix           text,
  applied_conn_limit   integer,
  storage_bytes        bigint      NOT NULL DEFAULT 0,
  expires_at           timestamptz,
  created_request_id   text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (id <> token)
);
CREATE INDEX resources_team_keyset ON resources (team_id, created_at DESC, id DESC);
CREATE INDEX resources_fingerprint_active
  ON resources (fingerprint, resource_type, env, created_at DESC) WHERE status = 'active';
CREATE INDEX resources_expiry
  ON resources (expires_at) WHERE status IN ('active','paused','suspended');
CREATE INDEX resources_pending ON resources (created_at) WHERE status = 'pending';

CREATE TABLE audit_log (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL for cluster-scoped events (anonymous resources, orphan sweeps).
  team_id       uuid REFERENCES teams(id) ON DELETE SET NULL,
  user_id       uuid,
  actor         text        NOT NULL CHECK (actor IN ('agent','user','system','cli')),
  kind          text        NOT NULL,
  resource_type text,
  resource_id   uuid,
  summary       text        NOT NULL DEFAULT '',
  metadata      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  request_id    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_team_time ON audit_log (team_id, created_at DESC);
CREATE INDEX audit_log_resource ON audit_log (resource_id, created_at DESC);

CREATE TABLE onboarding_events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  jti             uuid        NOT NULL UNIQUE,
  fingerprint     text        NOT NULL,
  resource_tokens uuid[]      NOT NULL DEFAULT '{}',
  jwt_issued_at   timestamptz NOT NULL,
  jwt_expires_at  timestamptz NOT NULL,
  converted_at    timestamptz,
  team_id         uuid REFERENCES teams(id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pending_propagations (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind            text        NOT NULL CHECK (kind IN ('tier_elevation')),
  team_id         uuid        NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  target_tier     text        NOT NULL
                  CHECK (target_tier IN ('anonymous','free','hobby','hobby_plus','pro','growth','team')),
  payload         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  attempts        integer     NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  applied_at      timestamptz,
  failed_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_propagations_due
  ON pending_propagations (next_attempt_at) WHERE applied_at IS NULL AND failed_at IS NULL;
