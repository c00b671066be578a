SET lock_timeout = '2s';
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    -- note: never ALTER TABLE in here; "DROP TABLE" in a comment is not a statement
    NEW.updated_at := now();
    RETURN NEW;
END;
$function$;
DROP TRIGGER IF EXISTS orders_set_updated_at ON orders;
CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
