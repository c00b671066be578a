-- Django: PositiveSmallIntegerField and a ForeignKey added to existing tables
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN priority smallint DEFAULT 3 NOT NULL CHECK (priority >= 0);
ALTER TABLE orders ADD COLUMN customer_ref bigint REFERENCES customers (id);
