-- Tables the MySQL/MariaDB fixtures without a schema of their own run against.
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(320) NOT NULL, legacy_code text);
CREATE TABLE orders (id int NOT NULL PRIMARY KEY, customer_id bigint, region varchar(10), total decimal(10,2));
