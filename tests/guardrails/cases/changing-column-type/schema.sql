CREATE TABLE orders (id integer PRIMARY KEY, total numeric(10,2), placed_at timestamp, note varchar(20));
