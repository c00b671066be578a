SELECT count(*) > 5 FROM orders WHERE customer_id = :customer_id
