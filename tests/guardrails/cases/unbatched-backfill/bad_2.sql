-- engine: mariadb 10.11
-- sizes: orders=40000000
UPDATE orders SET region = 'eu';
