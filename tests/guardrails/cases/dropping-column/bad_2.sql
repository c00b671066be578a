-- engine: mariadb 10.11
ALTER TABLE customers DROP COLUMN legacy_code, ALGORITHM=INSTANT, LOCK=NONE;
