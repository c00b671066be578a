CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);
