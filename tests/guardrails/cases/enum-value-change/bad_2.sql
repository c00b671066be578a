-- engine: postgresql 11
BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded';
COMMIT;
