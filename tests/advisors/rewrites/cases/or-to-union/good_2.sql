SELECT id FROM orders WHERE customer_id = :c AND coupon_code = :code
