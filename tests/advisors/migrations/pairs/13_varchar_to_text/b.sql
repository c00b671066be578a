CREATE TABLE events (
  id integer PRIMARY KEY,
  counter integer,
  label text,
  amount numeric(10,2)
);
