CREATE TABLE orders (id bigint PRIMARY KEY, total double precision NOT NULL, unitPrice real,
  weight_kg double precision);
