-- a migration framework wrapped this in a transaction
BEGIN;
SET LOCAL lock_timeout = '2s';
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status); -- expect: concurrently-in-transaction
COMMIT;
