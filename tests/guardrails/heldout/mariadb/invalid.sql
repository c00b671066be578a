-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT, LOCK=NONE;
ALTER TABLE orders ADDD COLUMN other INT; -- expect: invalid-sql
