-- Real migrations hold more than plain statements: transactions, DO blocks, dollar quotes,
-- function bodies with semicolons, E'' strings, comments in odd places.
SET lock_timeout = '2s';
BEGIN;
CREATE TABLE audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- a comment; with a semicolon
    note text DEFAULT E'it\'s; fine' /* and a block; comment */,
    body varbit,
    flags bit varying(8)
);
CREATE FUNCTION audit_note() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    NEW.note := coalesce(NEW.note, 'none; really');
    RETURN NEW;
END
$body$;
CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN true THEN count(*) END FROM audit;
END;
CREATE TRIGGER audit_note BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_note();
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'audit_kind') THEN
        CREATE TYPE audit_kind AS ENUM ('insert', 'update');
    END IF;
END
$$;
COMMENT ON TABLE audit IS 'who did what; when';
COMMIT;
