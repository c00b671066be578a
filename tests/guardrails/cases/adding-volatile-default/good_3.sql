-- A function declared STABLE or IMMUTABLE in the file is computed once, like a constant.
CREATE FUNCTION default_region() RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN 'eu'; END $$;
CREATE OR REPLACE FUNCTION app_setting() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'x' $$;
ALTER TABLE orders ADD COLUMN zone text NOT NULL DEFAULT default_region();
ALTER TABLE orders ADD COLUMN setting text DEFAULT app_setting();
