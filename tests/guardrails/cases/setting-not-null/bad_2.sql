-- sizes: orders=5000000
ALTER TABLE orders ADD CONSTRAINT orders_region_nn CHECK (region IS NOT NULL) NOT VALID;
ALTER TABLE orders ALTER COLUMN region SET NOT NULL;
