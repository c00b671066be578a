CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE t (
  id int PRIMARY KEY,
  p_id int REFERENCES p (id),
  code text REFERENCES p (code),
  x int CHECK (x > 0),
  y int,
  CHECK (x < y),
  CHECK (y > 0),
  UNIQUE (x, y)
);
