CREATE TABLE orders (id int NOT NULL PRIMARY KEY, customer_id bigint, total decimal(10,2));
