SET lock_timeout = '2s';
ALTER TABLE orders DETACH PARTITION orders_2019;
