BEGIN;
SET LOCAL lock_timeout = '1s';
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
ALTER TABLE orders DROP COLUMN note2;
