CREATE TABLE p (id int PRIMARY KEY, code varchar(20) UNIQUE);
CREATE TABLE t (
  id int PRIMARY KEY,
  p_id int,
  code varchar(20),
  x int,
  y int,
  FOREIGN KEY (code) REFERENCES p (code),
  CHECK (y > 0),
  KEY p_id (p_id)
);
