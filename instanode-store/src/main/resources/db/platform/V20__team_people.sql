-- A team's own settings, its pending invitations, and one-time sign-in links.
ALTER TABLE teams
  ADD COLUMN default_env text NOT NULL DEFAULT 'development',
  ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN deletion_requested_at timestamptz,
  ADD COLUMN tombstoned_at timestamptz;

-- An invitation names the address it was sent to; only the SHA-256 of its token is kept. It is
-- used once (accepted_at), can be revoked, and lapses at expires_at (7 days).
CREATE TABLE team_invitations (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id          uuid        NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  email            text        NOT NULL,
  role             text        NOT NULL CHECK (role IN ('owner','admin','developer','viewer')),
  token_hash       text        NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  invited_by       uuid        REFERENCES users(id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  accepted_at      timestamptz,
  accepted_user_id uuid,
  revoked_at       timestamptz
);
CREATE INDEX team_invitations_team ON team_invitations (team_id, created_at DESC, id DESC);
CREATE INDEX team_invitations_open
  ON team_invitations (team_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- A sign-in link: the SHA-256 of its token, used once, good for 15 minutes.
CREATE TABLE magic_links (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid        NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text        NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX magic_links_expiry ON magic_links (expires_at);
