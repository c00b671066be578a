-- engine: mysql 8.0.35
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN note text, ALGORITHM=INSTANT, LOCK=NONE;
