CREATE TABLE tickets (
  id integer PRIMARY KEY,
  title varchar(100) NOT NULL
);
