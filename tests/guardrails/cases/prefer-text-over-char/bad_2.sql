ALTER TABLE orders ADD COLUMN currency character(3);
