-- What webhook receivers were sent: one row per request, kept newest-first up to the receiver's
-- plan (the insert that stores one deletes the oldest beyond it). Its bytes are kept exactly, its
-- headers in the order received (json, not jsonb, which would sort them).
--
-- webhook_receivers holds each receiver's counter and its owner's choices. Every store takes the
-- receiver's row lock to number its request (seq = 1, 2, 3, ...), so one receiver's requests commit
-- in the order of their numbers and ids: retention is a range delete by seq, and a stream that
-- follows ids never passes one still being written.
CREATE TABLE webhook_receivers (
    token                uuid        PRIMARY KEY,
    seq                  bigint      NOT NULL DEFAULT 0,
    store_secret_headers boolean     NOT NULL DEFAULT false,
    -- AES-GCM ciphertext of the secret senders sign bodies with (X-Hub-Signature-256); null: none
    signing_secret       text,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_requests (
    id          bigserial   PRIMARY KEY,
    token       uuid        NOT NULL,
    seq         bigint      NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    method      text        NOT NULL,
    path        text        NOT NULL,
    query       text,
    headers     json        NOT NULL,
    body        bytea       NOT NULL,
    source      text        NOT NULL
);

CREATE INDEX webhook_requests_token_id ON webhook_requests (token, id DESC);
CREATE UNIQUE INDEX webhook_requests_token_seq ON webhook_requests (token, seq);
