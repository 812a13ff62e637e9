-- One NATS user per binding of a queue (bnd_<token>_<binding key>), allowed exactly the
-- subjects of its queue. Like queue_users, only the bcrypt hash nats-server checks is kept; the
-- plaintext is in the binding's credentials and nowhere else.
--
-- No foreign key to queue_users, and no cascade: a queue's drop removes its own user first and the
-- chokepoint then lists these rows and drops each, guarded and audited, so a binding user is never
-- deleted without its drop being recorded. Until then the authorization file leaves out a binding
-- whose queue user is gone, so no binding can connect after its queue's drop.
CREATE TABLE queue_binding_users (
  token         uuid        NOT NULL,
  binding_key   text        NOT NULL,
  username      text        NOT NULL UNIQUE,
  password_hash text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (token, binding_key)
);
