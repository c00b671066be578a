CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL, bio text);
