-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE payments MODIFY COLUMN amount DECIMAL(14,2) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE; -- expect: mysql-algorithm-copy
