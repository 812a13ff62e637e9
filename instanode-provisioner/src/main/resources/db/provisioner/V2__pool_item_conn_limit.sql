-- The connection cap the item was made with. A claim for a tier with the same cap skips the
-- regrade round trip to the customer cluster; NULL (items made before this column) always regrades.
ALTER TABLE pool_items ADD COLUMN conn_limit bigint;
