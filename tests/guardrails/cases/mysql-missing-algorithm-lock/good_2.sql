-- engine: mysql 8.0
CREATE TABLE notes (id bigint PRIMARY KEY);
ALTER TABLE notes ADD COLUMN body text;
