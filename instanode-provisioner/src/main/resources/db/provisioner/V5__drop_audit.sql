-- Every destruction the provisioner's chokepoint is asked for, written before it acts, and its
-- outcome after. Names are masked like tokens; nothing here is a credential.
CREATE TABLE drop_audit (
  id            bigserial   PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  event         text        NOT NULL,
  resource_type text        NOT NULL,
  backend       text        NOT NULL,
  names         text[]      NOT NULL,
  reason        text        NOT NULL,
  request_id    text        NOT NULL,
  detail        text
);

CREATE INDEX drop_audit_request ON drop_audit (request_id);
CREATE INDEX drop_audit_at ON drop_audit (at);
