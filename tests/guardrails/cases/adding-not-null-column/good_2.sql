-- sizes: orders=0
ALTER TABLE orders ADD COLUMN channel text NOT NULL;
