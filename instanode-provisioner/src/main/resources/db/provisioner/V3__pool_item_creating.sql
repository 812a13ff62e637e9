-- Record first: a refill inserts its item 'creating' before it makes anything, so a crash at any
-- step leaves a row naming the infrastructure (the pool token). The reaper tears down a 'creating'
-- row past its grace. Until the item is ready its URL and placement may be unknown.
ALTER TABLE pool_items DROP CONSTRAINT pool_items_status_check;
ALTER TABLE pool_items ADD CONSTRAINT pool_items_status_check
  CHECK (status IN ('creating','ready','assigned','failed'));
ALTER TABLE pool_items ALTER COLUMN connection_url DROP NOT NULL;
ALTER TABLE pool_items ALTER COLUMN provider_resource_id DROP NOT NULL;
ALTER TABLE pool_items ADD CONSTRAINT pool_items_usable_has_url
  CHECK (status NOT IN ('ready','assigned')
         OR (connection_url IS NOT NULL AND provider_resource_id IS NOT NULL));
CREATE INDEX pool_items_abandoned ON pool_items (created_at) WHERE status IN ('creating','failed');
