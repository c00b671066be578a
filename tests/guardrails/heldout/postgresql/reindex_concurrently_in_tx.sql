BEGIN;
REINDEX INDEX CONCURRENTLY orders_created_at_idx; -- expect: concurrently-in-transaction
COMMIT;
