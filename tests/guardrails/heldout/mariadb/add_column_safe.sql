-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN gift_note TEXT NULL, ALGORITHM=INSTANT, LOCK=NONE;
ALTER TABLE orders ADD INDEX idx_orders_created (created_at), ALGORITHM=INPLACE, LOCK=NONE;
