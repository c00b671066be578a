\set ON_ERROR_STOP on
\timing on
\echo 'migrating shop database'
\connect shop
SET lock_timeout = '3s';
SET statement_timeout = '15min';
BEGIN;
ALTER TABLE customers ADD COLUMN loyalty_tier text;
COMMIT;
\connect analytics
ALTER TABLE daily_rollups ADD COLUMN refunds_cents bigint; -- expect: missing-lock-timeout
