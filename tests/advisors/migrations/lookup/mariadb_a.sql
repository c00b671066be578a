CREATE TABLE p (id int PRIMARY KEY, code varchar(20) UNIQUE);
CREATE TABLE t (
  id int PRIMARY KEY,
  p_id int,
  code varchar(20),
  x int,
  y int,
  FOREIGN KEY (p_id) REFERENCES p (id),
  FOREIGN KEY (code) REFERENCES p (code),
  CHECK (x > 0),
  CHECK (x < y),
  CHECK (y > 0),
  UNIQUE (x, y),
  KEY (y)
);
