-- V8__price_positive.sql
SET lock_timeout TO '2s';

ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price_cents > 0); -- expect: constraint-missing-not-valid
