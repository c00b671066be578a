-- A table created in the same file holds no rows: its unique columns cost nothing to index.
CREATE TABLE handles (id bigint PRIMARY KEY, handle text);
ALTER TABLE handles ADD COLUMN email text UNIQUE;
