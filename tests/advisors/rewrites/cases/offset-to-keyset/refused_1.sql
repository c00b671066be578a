-- a nullable sort key
SELECT id, coupon_code FROM orders ORDER BY coupon_code, id LIMIT 20 OFFSET 5000
