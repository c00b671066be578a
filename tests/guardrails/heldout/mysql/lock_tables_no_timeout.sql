-- engine: mysql 8.0
LOCK TABLES orders WRITE; -- expect: missing-lock-timeout
DELETE FROM orders WHERE id = 3;
UNLOCK TABLES;
