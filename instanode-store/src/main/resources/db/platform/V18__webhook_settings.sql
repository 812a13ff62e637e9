-- What a receiver's owner chose: whether Authorization, Cookie and Proxy-Authorization values are
-- stored as sent (off: masked). A receiver without a row has the defaults.
CREATE TABLE webhook_settings (
    token                uuid        PRIMARY KEY,
    store_secret_headers boolean     NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
