-- A statement built at run time inside a DO block cannot be read before it runs.
SET lock_timeout = '2s';
DO $$
BEGIN
    EXECUTE format('ALTER TABLE %I ALTER COLUMN total TYPE numeric(12,2)', 'orders');
END
$$;
