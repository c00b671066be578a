CREATE UNIQUE INDEX orders_number_key ON orders (number);
