SET statement_timeout = '5min';
ALTER TABLE customers RENAME COLUMN mail TO email; -- expect: missing-lock-timeout, renaming-column
