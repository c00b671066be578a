-- swap the old and new tables atomically
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE; -- expect: missing-lock-timeout
ALTER TABLE orders RENAME TO orders_old; -- expect: renaming-table
ALTER TABLE orders_new RENAME TO orders; -- expect: renaming-table
COMMIT;
