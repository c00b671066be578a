-- engine: mysql 8.0
-- schema: schema_mysql.sql
ALTER TABLE customers MODIFY COLUMN nick varchar(100);
