-- dbarch:disable dropping-column
ALTER TABLE customers DROP COLUMN legacy_code;
