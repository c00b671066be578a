-- the number itself is used
SELECT count(*) FROM orders WHERE customer_id = :customer_id
