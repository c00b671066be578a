CREATE TABLE product_attributes (product_id bigint NOT NULL, attribute text NOT NULL,
  value text, PRIMARY KEY (product_id, attribute));
