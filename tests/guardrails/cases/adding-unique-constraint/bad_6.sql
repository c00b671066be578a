SET lock_timeout = '2s';
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE orders ADD CONSTRAINT orders_no_overlap EXCLUDE USING gist (customer_id WITH =, number WITH =);
