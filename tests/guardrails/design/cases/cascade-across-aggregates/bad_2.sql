CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE addresses (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE);
CREATE TABLE shipments (id bigint PRIMARY KEY, address_id bigint NOT NULL REFERENCES addresses (id));
