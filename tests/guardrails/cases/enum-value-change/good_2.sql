-- engine: mariadb 10.11
-- schema: schema_mysql.sql
ALTER TABLE orders MODIFY COLUMN status ENUM('new', 'paid', 'void', 'refunded') NOT NULL, ALGORITHM=INSTANT, LOCK=NONE;
