BEGIN;
ALTER TABLE orders ADD COLUMN channel text;
UPDATE orders SET channel = 'web' WHERE id < 1000;
COMMIT;
