-- engine: mariadb 10.11
-- schema: schema_mysql.sql
ALTER TABLE customers MODIFY COLUMN notes text;
