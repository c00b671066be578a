SELECT id, placed_at FROM orders WHERE status = 'paid' AND (customer_id = :c OR coupon_code = :code) ORDER BY placed_at DESC LIMIT 10
