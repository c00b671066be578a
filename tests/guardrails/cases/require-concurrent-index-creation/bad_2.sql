-- sizes: orders=20000000
SET lock_timeout = '2s';
CREATE UNIQUE INDEX orders_number_key
    ON orders (number);
