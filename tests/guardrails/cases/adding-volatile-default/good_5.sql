-- Setting a volatile default on an existing column only affects new rows: no rewrite.
ALTER TABLE orders ALTER COLUMN note2 SET DEFAULT next_code();
