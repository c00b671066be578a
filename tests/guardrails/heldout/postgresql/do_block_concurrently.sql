DO $$
BEGIN
  EXECUTE 'SELECT 1';
  CREATE INDEX CONCURRENTLY orders_ref_idx ON orders (reference); -- expect: concurrently-in-transaction
END $$;
