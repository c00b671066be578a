CREATE TABLE invoice_lines (order_id int NOT NULL, line int NOT NULL, PRIMARY KEY (order_id, line), ts timestamp, at timestamp);
