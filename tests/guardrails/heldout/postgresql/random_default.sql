SET lock_timeout = '2s';
ALTER TABLE experiments ADD COLUMN bucket double precision DEFAULT random(); -- expect: adding-volatile-default
ALTER TABLE experiments ALTER COLUMN bucket SET DEFAULT random();
