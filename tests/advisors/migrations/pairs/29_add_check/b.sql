CREATE TABLE users (
  id integer PRIMARY KEY,
  email varchar(100) NOT NULL,
  name varchar(80),
  age integer,
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT users_age_check CHECK (age >= 0)
);
