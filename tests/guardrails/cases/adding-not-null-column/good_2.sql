-- sizes: orders=0
ALTER TABLE orders ADD COLUMN region text NOT NULL;
