-- Running upgrade 9a8b7c6d5e4f -> 1b2c3d4e5f60, add created_at
BEGIN;
SET lock_timeout = '4s';
-- now() is STABLE: evaluated once by ALTER TABLE, stored as the missing value, no rewrite on PG 11+
ALTER TABLE accounts ADD COLUMN created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL;
ALTER TABLE accounts ADD COLUMN region TEXT DEFAULT 'eu-west-1' NOT NULL;
ALTER TABLE accounts ADD COLUMN flags INTEGER[] DEFAULT '{}'::integer[] NOT NULL;
UPDATE alembic_version SET version_num='1b2c3d4e5f60' WHERE alembic_version.version_num = '9a8b7c6d5e4f';
COMMIT;
