SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN api_key text UNIQUE; -- expect: adding-unique-constraint
