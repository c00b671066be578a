CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, country_code char(2));
CREATE TABLE products (id bigint PRIMARY KEY, sku varchar(40) NOT NULL, slug text NOT NULL, UNIQUE (slug));
