-- Running upgrade 1b2c3d4e5f60 -> 77aa88bb99cc, orders get a coupon
-- op.add_column('orders', sa.Column('coupon_id', sa.BigInteger(), sa.ForeignKey('coupons.id'), nullable=True))
BEGIN;
SET LOCAL lock_timeout = '4s';
ALTER TABLE orders ADD COLUMN coupon_id BIGINT REFERENCES coupons (id); -- expect: constraint-missing-not-valid
UPDATE alembic_version SET version_num='77aa88bb99cc' WHERE alembic_version.version_num = '1b2c3d4e5f60';
COMMIT;
