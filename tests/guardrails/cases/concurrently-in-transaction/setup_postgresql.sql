CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_old_idx ON orders (region);
