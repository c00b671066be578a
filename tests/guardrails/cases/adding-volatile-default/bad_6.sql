-- A stored generated column and an identity are computed for every row too.
ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED NOT NULL;
