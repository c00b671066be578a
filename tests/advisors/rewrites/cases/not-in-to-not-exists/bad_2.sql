-- the outer column is nullable: the rewrite keeps NOT IN's answer for NULL
SELECT id FROM customers WHERE referrer_id NOT IN (SELECT customer_id FROM orders)
