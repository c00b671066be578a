CREATE TABLE events (
  id integer PRIMARY KEY,
  counter integer,
  label varchar(50),
  amount numeric(10,2)
);
