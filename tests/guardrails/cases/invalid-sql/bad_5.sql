-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADDD COLUMN note TEXT, ALGORITHM=INSTANT, LOCK=NONE;
