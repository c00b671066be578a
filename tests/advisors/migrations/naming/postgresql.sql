CREATE TABLE a_very_long_table_name_that_goes_on_and_on_for_more_than_forty (
  id int PRIMARY KEY,
  another_quite_long_column_name_to_force_truncation int UNIQUE,
  x int CHECK (x > 0),
  y int,
  "Mixed" int,
  é_column_naïve_ünïcödé_ßßßßßßßßßßßßßß int,
  CHECK (x < y),
  CHECK (y > 0),
  CHECK (y < 100),
  UNIQUE (x, y),
  UNIQUE (é_column_naïve_ünïcödé_ßßßßßßßßßßßßßß)
);
CREATE TABLE t (id int PRIMARY KEY, a int, b int, email text, CHECK (true), CHECK (a > 0 AND a < 10), CHECK (a <> b),
  a_column_name_that_is_longer_than_the_sixty_three_bytes_postgresql_keeps int UNIQUE);
CREATE TABLE t_a (id int PRIMARY KEY, t_id int REFERENCES t (id), "Mixed" int CHECK ("Mixed" > 0));
CREATE INDEX ON t (a);
CREATE INDEX ON t (a);
CREATE INDEX ON t (lower(email));
CREATE INDEX ON t (a, a);
CREATE INDEX ON t ((a + b));
CREATE INDEX ON t (b) INCLUDE (email);
CREATE UNIQUE INDEX ON t (b) WHERE a > 0;
CREATE INDEX ON a_very_long_table_name_that_goes_on_and_on_for_more_than_forty (another_quite_long_column_name_to_force_truncation, y);
CREATE INDEX ON a_very_long_table_name_that_goes_on_and_on_for_more_than_forty (another_quite_long_column_name_to_force_truncation, y);
