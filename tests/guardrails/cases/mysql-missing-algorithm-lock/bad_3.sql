-- engine: mysql 8.0
CREATE INDEX orders_customer_idx ON orders (customer_id);
