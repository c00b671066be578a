BEGIN;
SET LOCAL lock_timeout = '5s';
--
-- Rename field username on profile to handle
--
ALTER TABLE "accounts_profile" RENAME COLUMN "username" TO "handle"; -- expect: renaming-column
COMMIT;
