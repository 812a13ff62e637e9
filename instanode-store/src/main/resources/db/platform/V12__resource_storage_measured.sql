-- What the enforce_limits job last measured. storage_exceeded is true while the resource's writes
-- are stopped for being over its plan's storage (or memory) limit.
ALTER TABLE resources ADD COLUMN storage_exceeded boolean NOT NULL DEFAULT false;
ALTER TABLE resources ADD COLUMN storage_measured_at timestamptz;
