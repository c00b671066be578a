CREATE TABLE events (
  id integer PRIMARY KEY,
  counter integer,
  label varchar(20),
  amount numeric(10,2)
);
