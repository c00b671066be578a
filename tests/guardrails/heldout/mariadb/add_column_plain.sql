-- engine: mariadb 10.11
ALTER TABLE orders ADD COLUMN gift_note TEXT NULL; -- expect: missing-lock-timeout, mysql-missing-algorithm-lock
