-- A typo in the middle of a file that otherwise parses: the statements around it are still checked.
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders
    ADD COLUMN shipped_at timestamptz DEFAULT,
    ADD COLUMN carrier text;
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
