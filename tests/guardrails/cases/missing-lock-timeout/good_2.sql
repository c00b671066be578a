-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN note text, ALGORITHM=INSTANT, LOCK=NONE;
