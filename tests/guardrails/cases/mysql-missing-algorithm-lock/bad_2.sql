-- engine: mysql 8.0
ALTER TABLE orders ADD INDEX orders_customer_idx (customer_id), LOCK=NONE;
