SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN delivered timestamp without time zone[];
