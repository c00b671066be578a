-- Dropping the proving check in the same statement drops it before SET NOT NULL is checked: a scan.
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT orders_region_nn CHECK (region IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_region_nn;
ALTER TABLE orders ALTER COLUMN region SET NOT NULL, DROP CONSTRAINT orders_region_nn;
