-- The fixtures convert to utf8mb4: start from latin1 so the conversion is real.
ALTER TABLE orders CONVERT TO CHARACTER SET latin1;
