CREATE TABLE events (
  id integer PRIMARY KEY,
  counter integer,
  label varchar(60),
  amount numeric(10,2)
);
