SET lock_timeout = '2s';
CREATE FUNCTION default_currency() RETURNS char(3)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 'EUR'::char(3) $$;
ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT default_currency();
