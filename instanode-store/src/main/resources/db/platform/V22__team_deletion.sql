-- What a team's deletion has torn down so far, counted in the transaction that records each
-- teardown, so a deletion resumed after a crash reports exact figures when the team is tombstoned.
ALTER TABLE teams
  ADD COLUMN deletion_resources_destroyed integer NOT NULL DEFAULT 0,
  ADD COLUMN deletion_namespaces_deleted integer NOT NULL DEFAULT 0;
CREATE INDEX teams_deletion_pending ON teams (deletion_requested_at) WHERE status = 'deletion_pending';
