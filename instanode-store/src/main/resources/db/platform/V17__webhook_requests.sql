-- What webhook receivers were sent: one row per request, kept newest-first up to the receiver's
-- plan (the insert that stores one deletes the oldest beyond it). Its bytes are kept exactly.
-- seq numbers a receiver's requests (1, 2, 3, ...), so that delete is a short range scan however
-- many a receiver keeps, never a walk over all it holds; id orders reads and streams.
CREATE TABLE webhook_requests (
    id          bigserial   PRIMARY KEY,
    token       uuid        NOT NULL,
    seq         bigint      NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    method      text        NOT NULL,
    path        text        NOT NULL,
    query       text,
    headers     jsonb       NOT NULL,
    body        bytea       NOT NULL,
    source      text        NOT NULL
);

CREATE INDEX webhook_requests_token_id ON webhook_requests (token, id DESC);
CREATE INDEX webhook_requests_token_seq ON webhook_requests (token, seq);
