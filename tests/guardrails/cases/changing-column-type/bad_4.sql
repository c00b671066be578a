ALTER TABLE orders ALTER COLUMN number TYPE text USING number::text;
