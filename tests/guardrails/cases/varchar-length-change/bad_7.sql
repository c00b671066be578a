-- The column's type is declared earlier in the file: this is a narrowing.
ALTER TABLE orders ADD COLUMN code varchar(20);
ALTER TABLE orders ALTER COLUMN code TYPE varchar(5);
