BEGIN;
ALTER TYPE order_status ADD VALUE 'on_hold';
UPDATE orders SET status = 'on_hold' WHERE id = 42; -- expect: enum-value-change
COMMIT;
