-- the nightly import table was made unlogged for speed; make it crash-safe again
SET lock_timeout = '5s';
ALTER TABLE import_rows SET LOGGED; -- expect: changing-table-storage
