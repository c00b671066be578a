CREATE TABLE products (id bigint PRIMARY KEY, color text, weight_g integer, extra jsonb);
CREATE TABLE settings (id bigint PRIMARY KEY, name text NOT NULL, value text);
