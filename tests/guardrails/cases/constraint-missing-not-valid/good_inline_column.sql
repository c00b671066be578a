-- the column bare, then the constraints NOT VALID, validated in their own transactions
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN priority smallint DEFAULT 3 NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_priority_check CHECK (priority >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_priority_check;
ALTER TABLE orders ADD COLUMN customer_ref bigint;
ALTER TABLE orders ADD CONSTRAINT orders_customer_ref_fk FOREIGN KEY (customer_ref) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_ref_fk;
