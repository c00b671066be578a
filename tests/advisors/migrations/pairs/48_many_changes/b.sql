CREATE TABLE users (
  id integer PRIMARY KEY,
  email varchar(100) NOT NULL,
  name varchar(120),
  age integer NOT NULL DEFAULT 0,
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  user_id integer NOT NULL,
  total numeric(10,2) NOT NULL DEFAULT 5,
  note varchar(200),
  shipped_on date,
  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX orders_user_idx ON orders (user_id);
