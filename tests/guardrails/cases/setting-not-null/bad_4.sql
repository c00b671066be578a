-- An OR does not prove the column NOT NULL, and a check never validated proves nothing.
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT orders_region_or CHECK (region IS NOT NULL OR total > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_region_or;
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL) NOT VALID;
ALTER TABLE orders ALTER COLUMN region SET NOT NULL;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
