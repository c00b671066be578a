-- a table created here holds no rows: making it unlogged copies nothing
CREATE TABLE import_batches (id bigint PRIMARY KEY, payload jsonb);
ALTER TABLE import_batches SET UNLOGGED;
SET lock_timeout = '2s';
ALTER TABLE orders SET (fillfactor = 90);
