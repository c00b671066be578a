-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE comments CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, ALGORITHM=INPLACE, LOCK=NONE; -- expect: mysql-algorithm-copy
