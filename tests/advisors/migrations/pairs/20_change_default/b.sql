CREATE TABLE users (
  id integer PRIMARY KEY,
  email varchar(100) NOT NULL,
  name varchar(80),
  age integer,
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  user_id integer NOT NULL,
  total numeric(10,2) NOT NULL DEFAULT 1,
  note varchar(200),
  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
);
