-- The general form of the proof: NOT (col IS NULL), or IS NOT NULL ANDed with other terms.
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT orders_region_nn CHECK (NOT (region IS NULL)) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL AND total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_region_nn;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_nn;
ALTER TABLE orders ALTER region SET NOT NULL;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
