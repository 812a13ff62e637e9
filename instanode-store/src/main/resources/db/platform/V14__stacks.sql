-- Multi-service apps, each in its own Kubernetes namespace. The slug is the public id and names
-- the namespace; the id never leaves the platform. Seed 000's sweep compared a namespace with the
-- id and reaped live stacks: the CHECKs tie the namespace to the slug alone.
CREATE TABLE stacks (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text        NOT NULL UNIQUE CHECK (slug ~ '^stk-[0-9a-f]{8}$'),
  namespace   text        NOT NULL UNIQUE,
  team_id     uuid        REFERENCES teams(id) ON DELETE SET NULL,
  fingerprint text,
  name        text        NOT NULL,
  env         text        NOT NULL DEFAULT 'development',
  status      text        NOT NULL DEFAULT 'deploying'
              CHECK (status IN ('deploying','healthy','failed','lost','deleting')),
  tier        text        NOT NULL
              CHECK (tier IN ('anonymous','free','hobby','hobby_plus','pro','growth','team')),
  -- Keys in clear, each value AES-256-GCM sealed like a connection URL.
  env_vars    jsonb       NOT NULL DEFAULT '{}',
  expires_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (namespace = 'instant-stack-' || slug)
);
CREATE INDEX stacks_team_keyset ON stacks (team_id, created_at DESC, id DESC);
CREATE INDEX stacks_expiry ON stacks (expires_at) WHERE status <> 'deleting';
CREATE INDEX stacks_deleting ON stacks (updated_at) WHERE status = 'deleting';

CREATE TABLE stack_services (
  stack_id uuid    NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
  name     text    NOT NULL,
  image    text    NOT NULL,
  port     integer NOT NULL DEFAULT 8080 CHECK (port BETWEEN 1 AND 65535),
  expose   boolean NOT NULL DEFAULT false,
  status   text    NOT NULL DEFAULT 'deploying',
  reason   text,
  -- The manifest's env for this service and what its needs inject, values sealed.
  env      jsonb   NOT NULL DEFAULT '{}',
  UNIQUE (stack_id, name)
);
