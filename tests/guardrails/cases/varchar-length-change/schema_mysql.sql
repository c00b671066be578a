CREATE TABLE customers (id bigint PRIMARY KEY, nick varchar(20), notes varchar(200));
