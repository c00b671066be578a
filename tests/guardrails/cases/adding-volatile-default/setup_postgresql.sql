CREATE SCHEMA app;
CREATE FUNCTION next_code() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'c' || floor(random() * 1000)::text; END $$;
CREATE FUNCTION app.region_of(bigint) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'eu'; END $$;
