-- A column added bare, its unique index built concurrently, then attached.
SET lock_timeout = '2s';
ALTER TABLE customers ADD COLUMN handle text;
CREATE UNIQUE INDEX CONCURRENTLY customers_handle_key ON customers (handle);
ALTER TABLE customers ADD CONSTRAINT customers_handle_key UNIQUE USING INDEX customers_handle_key;
