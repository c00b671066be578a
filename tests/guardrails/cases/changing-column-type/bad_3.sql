-- schema: schema.sql
ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz;
