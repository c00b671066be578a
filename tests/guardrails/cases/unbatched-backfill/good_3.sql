BEGIN;
ALTER TABLE orders ADD COLUMN channel text;
COMMIT;
UPDATE orders SET channel = 'web' WHERE id < 1000;
