BEGIN;
SET lock_timeout = '4s';
ALTER TABLE audit_events ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(); -- expect: adding-volatile-default
ALTER TABLE audit_events ADD COLUMN seq bigserial; -- expect: adding-volatile-default
COMMIT;
