CREATE TABLE users (
  id integer PRIMARY KEY,
  email varchar(100) NOT NULL,
  name varchar(120),
  age integer,
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE VIEW adults AS SELECT id, name FROM users WHERE age >= 18;
