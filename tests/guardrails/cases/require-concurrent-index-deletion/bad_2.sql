DROP INDEX IF EXISTS orders_a_idx, orders_b_idx;
