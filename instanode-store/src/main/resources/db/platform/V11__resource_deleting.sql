-- 'deleting': a delete is recorded before its drop, so a crash between the two leaves a row the
-- provisioner reconciler finishes (drop, idempotent, then 'deleted') instead of an active row
-- whose infrastructure is gone.
ALTER TABLE resources DROP CONSTRAINT resources_status_check;
ALTER TABLE resources ADD CONSTRAINT resources_status_check
  CHECK (status IN ('pending','active','paused','suspended','deleting','failed','expired','deleted'));
CREATE INDEX resources_deleting ON resources (updated_at) WHERE status = 'deleting';
