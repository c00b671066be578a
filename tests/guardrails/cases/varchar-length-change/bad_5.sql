-- schema: schema_pg.sql
ALTER TABLE customers ALTER COLUMN bio TYPE varchar(500);
