-- schema: schema.sql
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,3);
