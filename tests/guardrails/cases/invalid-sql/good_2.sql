-- psql meta-commands are the client's, not SQL.
\set ON_ERROR_STOP on
\echo adding the note column
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN note text;
SELECT count(*) FROM orders \gset
