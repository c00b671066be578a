-- Tables the PostgreSQL fixtures without a schema of their own run against (empty unless a test adds rows).
CREATE TYPE order_status AS ENUM ('new', 'paid', 'void');
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL, legacy_code text, bio text);
CREATE TABLE orders (
    id integer PRIMARY KEY,
    customer_id bigint,
    region text,
    total numeric(10,2),
    number integer,
    note2 text,
    status order_status
);
CREATE TABLE order_items (order_id bigint, line integer);
CREATE TABLE legacy_orders (id bigint);
CREATE TABLE legacy_items (id bigint);
CREATE TABLE settings (enabled boolean);
