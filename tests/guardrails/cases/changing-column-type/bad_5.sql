-- The general form: the catalog-free TYPE change inside a multi-action statement, with USING.
SET lock_timeout = '2s';
ALTER TABLE orders
    ALTER COLUMN number TYPE bigint USING number::bigint,
    ALTER COLUMN note2 SET DEFAULT '';
