-- filtered IS NOT NULL: exact
SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM blocklist WHERE customer_id IS NOT NULL)
