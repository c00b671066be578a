SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN total_cents bigint DEFAULT 0;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';
ALTER TABLE orders ALTER COLUMN status DROP NOT NULL;
COMMENT ON COLUMN orders.total_cents IS 'sum of line totals, in cents';
GRANT SELECT ON orders TO reporting;
ALTER TABLE orders SET (autovacuum_vacuum_scale_factor = 0.01);
