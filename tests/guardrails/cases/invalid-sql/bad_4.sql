-- PostgreSQL compiles a DO block's body when it runs it: a typo inside fails the migration there.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'orders_note_idx') THEN
        CREAT INDEX orders_note_idx ON orders (note);
    END IF;
END
$$;
