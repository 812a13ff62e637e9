-- One NATS user per queue: the source the server's authorization file is written from. The
-- password is kept only as the bcrypt hash nats-server checks; the plaintext is in the resource's
-- encrypted connection URL and nowhere else.
CREATE TABLE queue_users (
  token         uuid        PRIMARY KEY,
  username      text        NOT NULL UNIQUE,
  password_hash text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
