-- Running upgrade 3f1c2a9b7e10 -> 9a8b7c6d5e4f, add external id

BEGIN;

SET lock_timeout = '4s';

ALTER TABLE accounts ADD COLUMN external_id UUID DEFAULT gen_random_uuid() NOT NULL; -- expect: adding-volatile-default

UPDATE alembic_version SET version_num='9a8b7c6d5e4f' WHERE alembic_version.version_num = '3f1c2a9b7e10';

COMMIT;
