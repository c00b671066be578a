-- V7__order_lines_fk.sql
ALTER TABLE order_lines -- expect: constraint-missing-not-valid, missing-lock-timeout
    ADD CONSTRAINT order_lines_product_fk
    FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT;
