BEGIN;
SET LOCAL lock_timeout = '5s';
--
-- Remove field legacy_code from product
--
ALTER TABLE "catalog_product" DROP COLUMN "legacy_code" CASCADE; -- expect: dropping-column
--
-- Delete model LegacyImport
--
DROP TABLE "catalog_legacyimport" CASCADE; -- expect: dropping-table
COMMIT;
