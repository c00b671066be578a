CREATE INDEX orders_created_at_idx ON orders (id);
