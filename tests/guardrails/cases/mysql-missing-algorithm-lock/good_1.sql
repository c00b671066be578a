-- engine: mariadb 10.11
ALTER TABLE orders ADD COLUMN note text, ALGORITHM=INSTANT, LOCK=NONE;
