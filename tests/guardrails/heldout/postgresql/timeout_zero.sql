SET statement_timeout = '30s';
SET lock_timeout = 0;
ALTER TABLE orders ADD COLUMN note text; -- expect: missing-lock-timeout
