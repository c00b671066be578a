-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN note varchar(20), ALGORITHM=INSTANT, LOCK=NONE;
RENAME TABLE customers TO clients;
OPTIMIZE TABLE orders;
