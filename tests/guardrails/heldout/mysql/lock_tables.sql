-- engine: mysql 8.0
SET SESSION lock_wait_timeout = 5;
LOCK TABLES orders WRITE, customers READ;
UPDATE orders SET customer_id = 7 WHERE customer_id = 3;
UNLOCK TABLES;
