-- Schema for the workload analysis cases (PostgreSQL).
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL, region text, created_at timestamptz);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  status text NOT NULL,
  total numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL,
  note text
);
CREATE TABLE order_items (
  order_id bigint NOT NULL REFERENCES orders (id),
  line integer NOT NULL,
  product_id bigint NOT NULL,
  qty integer NOT NULL,
  price numeric(12,2),
  PRIMARY KEY (order_id, line)
);
CREATE TABLE products (id bigint PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL, price numeric(12,2));
CREATE TABLE "AuditLog" ("Id" bigint PRIMARY KEY, "Event" text, at timestamptz);
CREATE VIEW open_orders AS SELECT id, customer_id, total, created_at FROM orders WHERE status = 'open';
CREATE VIEW big_open_orders (order_id, amount) AS SELECT id, total FROM open_orders WHERE total > 100;
CREATE VIEW customer_totals AS
  SELECT c.id AS customer_id, c.email, SUM(o.total) AS spent
  FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.email;
