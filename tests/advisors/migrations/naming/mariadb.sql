-- What MariaDB names by itself: keys after their first column (numbered when taken), foreign keys
-- <table>_ibfk_N, the index InnoDB adds for a foreign key no key leads with, table-level checks
-- CONSTRAINT_N (skipping names in use), column-level checks after their column; NO ACTION is RESTRICT.
CREATE TABLE p (id int PRIMARY KEY, b int, UNIQUE (b));
CREATE TABLE Foo (
  id int PRIMARY KEY,
  a int CHECK (a > 0),
  b int,
  c int,
  d int,
  KEY (a),
  KEY (a, b),
  UNIQUE KEY (a),
  UNIQUE (b),
  FOREIGN KEY (c) REFERENCES p (id),
  FOREIGN KEY (b) REFERENCES p (b) ON UPDATE NO ACTION,
  CHECK (a < b),
  CONSTRAINT CONSTRAINT_2 CHECK (b > 0),
  CHECK (c > 1),
  CONSTRAINT x_fk FOREIGN KEY (a) REFERENCES p (id),
  CONSTRAINT d_fk FOREIGN KEY (d) REFERENCES p (id)
);
CREATE INDEX c_2 ON Foo (c, d);
