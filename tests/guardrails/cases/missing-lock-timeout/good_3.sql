CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
CREATE TABLE notes (id bigint PRIMARY KEY);
ALTER TABLE notes ADD COLUMN body text;
