CREATE TABLE order_items (order_id int NOT NULL, line int NOT NULL, PRIMARY KEY (order_id, line), ts timestamp, at timestamp);
