-- varchar -> text is catalog-only on PostgreSQL, and the file declares the column varchar.
ALTER TABLE orders ADD COLUMN ref varchar(20);
ALTER TABLE orders ALTER COLUMN ref TYPE text;
