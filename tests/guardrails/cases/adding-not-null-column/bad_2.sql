-- engine: postgresql 11
-- sizes: orders=3000000
ALTER TABLE orders ADD COLUMN channel text NOT NULL;
