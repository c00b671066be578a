-- the usual "remove an enum value" dance
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TYPE ticket_state RENAME TO ticket_state_old;
CREATE TYPE ticket_state AS ENUM ('open', 'pending', 'closed');
ALTER TABLE tickets ALTER COLUMN state TYPE ticket_state USING state::text::ticket_state; -- expect: changing-column-type
DROP TYPE ticket_state_old;
COMMIT;
