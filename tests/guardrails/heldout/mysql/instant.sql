-- engine: mysql 8.0
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN gift_note TEXT NULL, ALGORITHM=INSTANT;
