-- a table created here: its inline foreign keys and checks scan nothing
CREATE TABLE coupon_redemptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    coupon_id bigint NOT NULL REFERENCES coupons (id),
    amount_cents integer NOT NULL CHECK (amount_cents > 0)
);
ALTER TABLE coupon_redemptions ADD COLUMN order_id bigint REFERENCES orders (id);
ALTER TABLE coupon_redemptions ADD COLUMN note text CHECK (note <> '');
