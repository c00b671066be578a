-- params: {"day": "2024-03-01"}
SELECT id, total FROM orders WHERE CAST(placed_at AS date) = :day
