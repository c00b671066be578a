-- A DO block's static statements are read one by one (and checked by the other rules).
SET lock_timeout = '2s';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'note') THEN
        ALTER TABLE orders ADD COLUMN note text;
    END IF;
    EXECUTE 'COMMENT ON COLUMN orders.note IS ''free text''';
END
$$;
