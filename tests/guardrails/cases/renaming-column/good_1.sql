CREATE TABLE staging (id bigint PRIMARY KEY, mail text);
ALTER TABLE staging RENAME COLUMN mail TO email;
