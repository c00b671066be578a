-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
CREATE INDEX idx_orders_customer ON orders (customer_id); -- expect: mysql-missing-algorithm-lock
