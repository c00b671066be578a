-- sizes: orders=20000
ALTER TABLE orders ALTER COLUMN region SET NOT NULL;
