CREATE TABLE invoice_lines (order_id bigint NOT NULL, line integer NOT NULL, PRIMARY KEY (order_id, line));
