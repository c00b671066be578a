CREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);
CREATE TABLE notes (id bigint PRIMARY KEY);
ALTER TABLE notes ADD COLUMN body text;
