-- engine: mariadb 10.11
-- schema: schema.sql
ALTER TABLE orders MODIFY COLUMN id bigint NOT NULL;
