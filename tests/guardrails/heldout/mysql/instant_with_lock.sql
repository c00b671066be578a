-- engine: mysql 8.0
-- copied from a MariaDB runbook: MySQL refuses LOCK=NONE with ALGORITHM=INSTANT
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN gift_wrap TINYINT(1) NOT NULL DEFAULT 0, ALGORITHM=INSTANT, LOCK=NONE; -- expect: mysql-missing-algorithm-lock
