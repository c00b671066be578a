-- engine: mariadb 10.11
-- schema: schema_mysql.sql
ALTER TABLE customers MODIFY COLUMN nick varchar(100), ALGORITHM=INSTANT, LOCK=NONE;
