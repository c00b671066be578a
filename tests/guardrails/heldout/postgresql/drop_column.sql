SET lock_timeout = '2s';
ALTER TABLE customers DROP COLUMN IF EXISTS fax_number; -- expect: dropping-column
