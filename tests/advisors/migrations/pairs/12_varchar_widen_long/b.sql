CREATE TABLE events (
  id integer PRIMARY KEY,
  counter integer,
  label varchar(300),
  amount numeric(10,2)
);
