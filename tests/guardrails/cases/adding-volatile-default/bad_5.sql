-- Declared in the file, and declared VOLATILE.
CREATE FUNCTION pick_shard() RETURNS integer LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN 1; END $$;
ALTER TABLE orders ADD COLUMN shard integer DEFAULT pick_shard();
