CREATE TABLE customers_new (id bigint PRIMARY KEY);
ALTER TABLE customers_new RENAME TO clients;
