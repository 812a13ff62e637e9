-- Keys minted for older clients (GET /api/me/token) expire; keys made by name do not.
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
