-- The Open Service Broker API: the platform's instance and binding ids beside our resources.
-- request_digest is a SHA-256 of what makes a repeated request identical (the spec's 200) rather
-- than a conflict (409). A binding's credentials are AES-256-GCM sealed (the connection_url
-- format), so a repeated bind answers the same credentials.
CREATE TABLE broker_instances (
  instance_id    text PRIMARY KEY CHECK (length(instance_id) BETWEEN 1 AND 255),
  team_id        uuid        NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  service_id     text        NOT NULL,
  plan_id        text        NOT NULL,
  request_digest text        NOT NULL,
  resource_name  text        NOT NULL,
  resource_token uuid,
  state          text        NOT NULL CHECK (state IN ('provisioning', 'succeeded', 'failed', 'deleting')),
  async          boolean     NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE broker_bindings (
  binding_id            text PRIMARY KEY CHECK (length(binding_id) BETWEEN 1 AND 255),
  instance_id           text        NOT NULL REFERENCES broker_instances(instance_id) ON DELETE CASCADE,
  request_digest        text        NOT NULL,
  credentials_encrypted text        NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX broker_bindings_instance ON broker_bindings (instance_id);

-- The team the broker provisions into when OSB_TEAM_ID is unset, made on first use (one row).
CREATE TABLE broker_team (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  team_id   uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE
);
