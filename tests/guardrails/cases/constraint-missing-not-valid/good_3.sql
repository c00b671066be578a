CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint);
ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);
