SET lock_timeout = '2s';
CREATE INDEX IF NOT EXISTS orders_placed_at_brin ON public.orders USING brin (placed_at); -- expect: require-concurrent-index-creation
CREATE UNIQUE INDEX orders_number_key -- expect: require-concurrent-index-creation
    ON orders (number);
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id) INCLUDE (total_cents);
