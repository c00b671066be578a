-- params: {"offset": 100000}
SELECT id, status, total, placed_at FROM orders
WHERE customer_id = :customer_id
ORDER BY placed_at DESC
LIMIT 20 OFFSET :offset
