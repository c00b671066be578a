CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE t (
  id int,
  p_id int,
  code text REFERENCES p (code),
  x int,
  y int,
  CHECK (y > 0)
);
