CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL,
  placed_at timestamptz NOT NULL, total numeric(12,2) NOT NULL);
