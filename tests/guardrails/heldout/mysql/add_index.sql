-- engine: mysql 8.0
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD INDEX idx_orders_status (status); -- expect: mysql-missing-algorithm-lock
