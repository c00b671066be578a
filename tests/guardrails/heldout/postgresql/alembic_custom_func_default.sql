SET lock_timeout = '2s';
CREATE OR REPLACE FUNCTION next_ticket_code() RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  RETURN 'T-' || nextval('ticket_code_seq');
END;
$$;
ALTER TABLE tickets ADD COLUMN code text DEFAULT next_ticket_code(); -- expect: adding-volatile-default
