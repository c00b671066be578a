SELECT c.id, c.email, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS orders FROM customers c
