/*
 * Ticket OPS-1182: orders.id is running out of int4.
 * This is the naive version; see OPS-1183 for the online one.
 */
SET lock_timeout = '10s';
ALTER TABLE orders
    ALTER COLUMN id TYPE bigint; -- expect: changing-column-type
ALTER TABLE order_lines ALTER COLUMN order_id SET DATA TYPE bigint; -- expect: changing-column-type
