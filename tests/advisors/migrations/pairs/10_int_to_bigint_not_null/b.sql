CREATE TABLE events (
  id integer PRIMARY KEY,
  counter bigint NOT NULL,
  label varchar(50),
  amount numeric(10,2)
);
