-- engine: mariadb 10.11
CREATE TABEL audit (id bigint PRIMARY KEY);
ALTER TABLE orders ADD COLUMN (note text;
