-- engine: mysql 8.0
ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4;
