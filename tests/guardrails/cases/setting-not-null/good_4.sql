-- An unnamed check is validated by the name PostgreSQL gives it; each step in its own transaction.
SET lock_timeout = '2s';
BEGIN;
ALTER TABLE orders ADD CHECK (region IS NOT NULL) NOT VALID;
COMMIT;
BEGIN;
-- the scan runs under SHARE UPDATE EXCLUSIVE: writes go on
ALTER TABLE orders VALIDATE CONSTRAINT orders_region_check;
COMMIT;
ALTER TABLE ONLY public.orders ALTER COLUMN region SET NOT NULL;
ALTER TABLE orders DROP CONSTRAINT orders_region_check;
