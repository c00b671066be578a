ALTER TYPE order_status RENAME VALUE 'cancelled' TO 'canceled'; -- expect: enum-value-change
