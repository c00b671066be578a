SELECT id, total FROM orders WHERE customer_id = :customer_id OR coupon_code = :code
