-- Statements sqlglot cannot read whole but that take no lock worth a rule are not reported.
SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN total SET STATISTICS 500;
ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_key;
ALTER TABLE orders REPLICA IDENTITY FULL, SET (autovacuum_vacuum_scale_factor = 0.01);
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE POLICY orders_own ON orders USING (customer_id = 1);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON orders TO PUBLIC;
