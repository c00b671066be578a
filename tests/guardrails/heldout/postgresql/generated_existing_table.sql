SET lock_timeout = '2s';
ALTER TABLE order_lines ADD COLUMN total_cents bigint GENERATED ALWAYS AS (quantity * unit_price_cents) STORED; -- expect: adding-volatile-default
