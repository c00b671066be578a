-- V9__price_positive_safe.sql
SET lock_timeout TO '2s';
ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price_cents > 0) NOT VALID;
-- validate separately: takes SHARE UPDATE EXCLUSIVE only
ALTER TABLE products VALIDATE CONSTRAINT products_price_positive;
