CREATE TABLE orders (id bigint PRIMARY KEY);
CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders (id), line integer NOT NULL,
  PRIMARY KEY (order_id, line));
