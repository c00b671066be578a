CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2) NOT NULL, weight_kg double precision);
