-- A function nothing declares STABLE or IMMUTABLE is VOLATILE (CREATE FUNCTION's default).
ALTER TABLE orders ADD COLUMN code text DEFAULT next_code();
