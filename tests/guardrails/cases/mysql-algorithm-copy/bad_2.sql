-- engine: mariadb 10.11
ALTER TABLE orders ADD COLUMN total_cents bigint AS (total * 100) STORED;
