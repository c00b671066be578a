-- engine: mariadb 10.11
ALTER TABLE orders MODIFY COLUMN id bigint NOT NULL;
