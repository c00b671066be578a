SELECT count(*) > 0 AS has_orders FROM orders WHERE customer_id = :customer_id
