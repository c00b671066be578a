SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ALTER COLUMN note SET DEFAUL 'x'; -- expect: invalid-sql
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
