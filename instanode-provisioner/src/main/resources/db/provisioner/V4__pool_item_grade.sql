-- Everything a regrade would set at the tier an item was made for (connection cap and role
-- settings), as the backend describes it. A claim for a tier of the same grade skips the regrade
-- round trip; NULL (items made before this column) always regrades.
ALTER TABLE pool_items ADD COLUMN grade text;
