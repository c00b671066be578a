-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE customers DROP COLUMN fax, ALGORITHM=INSTANT, LOCK=NONE; -- expect: dropping-column
