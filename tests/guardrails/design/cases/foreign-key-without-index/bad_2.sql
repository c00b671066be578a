CREATE TABLE orders (id bigint PRIMARY KEY, region text NOT NULL, UNIQUE (region, id));
CREATE TABLE order_items (id bigint PRIMARY KEY, region text NOT NULL, order_id bigint NOT NULL,
  sku text NOT NULL, FOREIGN KEY (region, order_id) REFERENCES orders (region, id));
CREATE INDEX order_items_region_sku ON order_items (region, sku);
