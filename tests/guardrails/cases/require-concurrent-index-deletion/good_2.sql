-- engine: mariadb 10.11
DROP INDEX orders_customer_id_idx ON orders;
