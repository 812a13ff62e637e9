-- Owned by the provisioner role, in its own schema: the api never reads it.
CREATE TABLE pool_items (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  resource_type        text        NOT NULL CHECK (resource_type IN ('postgres','redis')),
  -- The name the infrastructure carries (db_<pool_token>, usr_<pool_token>); never a resource token.
  pool_token           text        NOT NULL UNIQUE CHECK (pool_token LIKE 'pool-%'),
  provider_resource_id text        NOT NULL,
  -- AES-256-GCM, same format as resources.connection_url.
  connection_url       text        NOT NULL,
  key_prefix           text,
  status               text        NOT NULL DEFAULT 'ready'
                       CHECK (status IN ('ready','assigned','failed')),
  created_at           timestamptz NOT NULL DEFAULT now(),
  assigned_at          timestamptz,
  -- The resource token the item was handed to; set in the same statement that claims it.
  bound_token          uuid,
  CHECK (status <> 'assigned' OR (bound_token IS NOT NULL AND assigned_at IS NOT NULL))
);
CREATE INDEX pool_items_ready ON pool_items (resource_type, created_at) WHERE status = 'ready';
CREATE INDEX pool_items_failed ON pool_items (assigned_at) WHERE status = 'failed';
CREATE INDEX pool_items_assigned ON pool_items (assigned_at) WHERE status = 'assigned';
