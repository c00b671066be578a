-- The general form: a named constraint, NOT NULL and a default beside it, in a multi-action statement.
SET lock_timeout = '2s';
ALTER TABLE customers
    ADD COLUMN region text,
    ADD COLUMN handle varchar(40) NOT NULL DEFAULT '' CONSTRAINT customers_handle_key UNIQUE;
