UPDATE orders SET region = 'eu' WHERE id >= 1 AND id < 10001 AND region IS NULL;
