-- engine: mariadb 10.11
-- schema: schema.sql
ALTER TABLE orders MODIFY COLUMN id int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
