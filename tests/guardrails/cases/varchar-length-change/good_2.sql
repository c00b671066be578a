-- schema: schema_pg.sql
ALTER TABLE customers ALTER COLUMN email TYPE text;
